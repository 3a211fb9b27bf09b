package experiments

import (
	"strings"
	"testing"
)

// TestCheckMemory: runs far beyond the budget are refused before anything
// is allocated, naming the estimate and its biggest part; the shipped
// kinds of runs fit a small budget.
func TestCheckMemory(t *testing.T) {
	t.Setenv(EnvMemLimit, "4G")
	for _, tc := range []struct {
		name, biggest string
		mod           func(*Config)
	}{
		{"huge net", "discriminator", func(c *Config) { c.Discriminator.Hidden = []int{16384, 16384, 16384} }},
		{"huge target", "", func(c *Config) {
			c.Target = Dataset{Kind: "gaussian", N: 1000000, Dim: 20000, Std: 1}
			c.Prior = Dataset{Kind: "gaussian", N: 10, Dim: 20000, Std: 1}
		}},
		{"huge prior", "particles", func(c *Config) {
			c.Target = Dataset{Kind: "gaussian", N: 100, Dim: 1 << 20, Std: 1}
			c.Prior = Dataset{Kind: "gaussian", N: 1 << 24, Dim: 1 << 20, Std: 1}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fourWell()
			tc.mod(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Fatalf("the test's preset should be valid: %v", err)
			}
			_, err := Build(cfg, Options{})
			if err == nil || !strings.Contains(err.Error(), "largest part: "+tc.biggest) || !strings.Contains(err.Error(), "more than the 4 GiB budget") {
				t.Errorf("Build: %v, want a refusal naming %q and %s", err, tc.biggest, EnvMemLimit)
			}
		})
	}
	for _, cfg := range []Config{fourWell(), geneConfig(true)} {
		if e := EstimateMemory(cfg); e.Total > 64<<20 {
			t.Errorf("%s: estimate %s, want a few MiB", cfg.Name, fmtBytes(e.Total))
		}
		if err := CheckMemory(cfg); err != nil {
			t.Error(err)
		}
	}
	t.Setenv(EnvMemLimit, "lots")
	if err := CheckMemory(fourWell()); err == nil || !strings.Contains(err.Error(), "64G") {
		t.Errorf("bad %s: %v", EnvMemLimit, err)
	}
}

func TestParseBytes(t *testing.T) {
	for s, want := range map[string]float64{"123": 123, "64G": 64 << 30, "512m": 512 << 20, "1.5T": 1.5 * (1 << 40), "2GB": 2 << 30} {
		if got, err := parseBytes(s); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "-1G", "G", "nan"} {
		if _, err := parseBytes(s); err == nil {
			t.Errorf("parseBytes(%q) accepted", s)
		}
	}
}
