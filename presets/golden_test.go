package presets

import (
	"bufio"
	"crypto/sha256"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/gpa-tui/gpa-tui/experiments"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// goldenCases are presets whose first steps are pinned bit for bit: a
// numerical change anywhere in the engine (kernels, objective, data
// sampling, preparation) shows up here.
var goldenCases = []struct {
	preset string
	sets   []string
	steps  int
}{
	{"four-well-L1", nil, 50},
	{"student-t-alpha2", []string{"divergence.formulation=nu", "train.optimizer=adam", "flow.solver=heun", "target.n=200"}, 20},
	{"gene-bladder-d10", []string{"genes.class_wise=true", "flow.dt=0.5"}, 20},
}

// TestGoldenTrajectory runs each golden case and compares D̂ and the
// kinetic energy at every step, and a SHA-256 of the particles at the end,
// with testdata/<preset>.golden (float64 bits, so the check is exact).
// go test ./presets -run Golden -update rewrites the files.
func TestGoldenTrajectory(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.preset, func(t *testing.T) {
			cfg, err := Load(c.preset, c.sets)
			if err != nil {
				t.Fatal(err)
			}
			sim, err := experiments.Build(cfg, experiments.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for range c.steps {
				r, err := sim.Step()
				if err != nil {
					t.Fatal(err)
				}
				div, _ := r.Get("divergence")
				ke, _ := r.Get("kinetic_energy")
				lines = append(lines, fmt.Sprintf("%d %016x %016x  # D̂ %.9g KE %.9g", r.Step,
					math.Float64bits(div), math.Float64bits(ke), div, ke))
			}
			y := sim.Particles()
			sum := sha256.Sum256(unsafe.Slice((*byte)(unsafe.Pointer(&y[0])), 4*len(y)))
			lines = append(lines, fmt.Sprintf("particles %x", sum))
			path := filepath.Join("testdata", c.preset+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			for i := 0; sc.Scan(); i++ {
				if i >= len(lines) {
					t.Fatalf("golden file has more lines than the %d computed", len(lines))
				}
				want, got := strings.Fields(sc.Text()), strings.Fields(lines[i])
				if want[0] == "particles" {
					if want[1] != got[1] {
						t.Errorf("particles after %d steps differ from the golden trajectory (sha256 %s, want %s)", c.steps, got[1], want[1])
					}
					continue
				}
				if want[1] != got[1] || want[2] != got[2] {
					t.Errorf("step %s: got %s, want %s", want[0], strings.Join(got[3:], " "), strings.Join(want[3:], " "))
				}
			}
		})
	}
}
