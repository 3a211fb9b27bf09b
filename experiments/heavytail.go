package experiments

// heavyTailNote warns, when a run opens, that KL with the learned ν of
// Algorithm 1 on a Student-t target is expected to diverge for some seeds
// (README, "Heavy tails"): a Lipschitz φ grows linearly, so on far
// targets e^{φ(X)−ν} overflows before ν catches up; the exact ν (formulation
// "dv", log-sum-exp) and α-divergences with α > 1 (polynomial f*) do not.
func heavyTailNote(cfg Config) string {
	if cfg.Target.Kind != "student-t-mixture" || cfg.Divergence.F != "kl" || cfg.Divergence.Formulation != "nu" {
		return ""
	}
	return "KL with a learned ν (Algorithm 1) on a heavy-tailed target: e^{φ(X)−ν} may overflow and the flow diverge — the expected result for several seeds (README, heavy tails); formulation = \"dv\" or f = \"alpha:2\" is stable"
}
