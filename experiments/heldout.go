package experiments

import (
	"fmt"
	"math/rand/v2"

	"github.com/gpa-tui/gpa-tui/experiments/images"
)

// Held-out validation split of an image target (target.holdout = K).
//
// GPA converges to the *empirical* target measure: a long image run ends
// with particles on top of the N targets (mnist-latent-200 at step 3000:
// 22% near-copies of one target, and the classifier Fréchet distance is
// best at step 2250 and worse after; issue #10). Deciding when to stop on
// the targets themselves, or on the test set used for the final report,
// would be circular. K further images of every class, drawn from the same
// split as the targets but disjoint from them, are never shown to the flow;
// the image metrics measure the particles against them every
// flow.metrics_every steps ("heldout_frechet", or "heldout_mmd2" without a
// classifier), the problem names that metric as its Criterion, `run` keeps
// the snapshot of its best step (best.npz) and, with flow.stop =
// "best-heldout", stops once it has not improved for flow.patience steps.

// streamHoldout is the PCG stream of the held-out draw: the targets (stream
// 1) are the same with or without a held-out split.
const streamHoldout = 5

// heldOut draws perClass images of every class of set, uniformly without
// replacement among those that are not targets (compared by pixels, so a
// duplicate of a target is excluded too).
func heldOut(set, targets *images.Set, perClass int, rng *rand.Rand) (*images.Set, error) {
	seen := make(map[string]bool, targets.N)
	for i := range targets.N {
		seen[string(targets.Row(i))] = true
	}
	byClass := make([][]int, len(set.Classes))
	for i, c := range set.Labels[:set.N] {
		byClass[c] = append(byClass[c], i)
	}
	rows := make([]int, 0, perClass*len(set.Classes))
	for c, idx := range byClass {
		got := 0
		// Partial Fisher–Yates, skipping targets.
		for k := 0; k < len(idx) && got < perClass; k++ {
			j := k + rng.IntN(len(idx)-k)
			idx[k], idx[j] = idx[j], idx[k]
			if !seen[string(set.Row(idx[k]))] {
				rows = append(rows, idx[k])
				got++
			}
		}
		if got < perClass {
			return nil, fieldErr("target.holdout", "class %d (%s) has %d images besides the targets, fewer than %d", c, set.Classes[c], got, perClass)
		}
	}
	out := set.Subset(rows)
	out.Name = fmt.Sprintf("%s[held out %d/class]", set.Name, perClass)
	return out, nil
}
