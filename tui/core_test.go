package tui

import (
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
)

// TestRealSim drives the model on the real engine and the default preset:
// it runs, "L" raises L through Sim.Set (recorded as an Event at the
// current step), and "s" writes a snapshot that resumes.
func TestRealSim(t *testing.T) {
	dir := t.TempDir()
	d, first, err := setup(Options{SnapshotDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(d, first)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	cmd := feed(m, m.Init(), 1)
	sim, ok := m.eng.(*core.Sim)
	if !ok {
		t.Fatalf("engine is %T, want *core.Sim (status %q)", m.eng, m.status)
	}
	if m.cfg.Name != presets.Default {
		t.Errorf("loaded %q, want the default preset %q", m.cfg.Name, presets.Default)
	}
	cmd = feed(m, cmd, 2)
	press(m, "space")
	if feed(m, cmd, 1) != nil {
		t.Fatal("running after pause")
	}
	step := sim.StepCount()
	if step < 3 || sim.History().Len() != step {
		t.Fatalf("step %d with %d metrics, want ≥ 3 and one per step", step, sim.History().Len())
	}
	if !hasBraille(screen(m)) {
		t.Errorf("no braille dots:\n%s", screen(m))
	}

	L0 := float64(sim.Config().Discriminator.Lipschitz)
	press(m, "L")
	if got := float64(sim.Config().Discriminator.Lipschitz); got != nextNice(L0, true) {
		t.Errorf("L = %g after L, want %g", got, nextNice(L0, true))
	}
	ev := sim.Events()
	if len(ev) != 1 || ev[0].Step != step || ev[0].Old != L0 {
		t.Errorf("events %+v, want one L change at step %d from %g", ev, step, L0)
	}

	feed(m, press(m, "s"), 1)
	files, _ := filepath.Glob(filepath.Join(dir, "*.npz"))
	if len(files) != 1 {
		t.Fatalf("snapshots %v, want one", files)
	}
	e, err := d.loadSnap(files[0], experiments.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e.StepCount() != step || e.Config().Discriminator.Lipschitz != sim.Config().Discriminator.Lipschitz {
		t.Errorf("snapshot resumed at step %d with L %v, want %d and %v", e.StepCount(), e.Config().Discriminator.Lipschitz, step, sim.Config().Discriminator.Lipschitz)
	}
}

func hasBraille(s string) bool {
	for _, r := range s {
		if r > 0x2800 && r <= 0x28ff {
			return true
		}
	}
	return false
}

func TestSetupErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"unknown preset", Options{Preset: "no-such-preset"}, "no-such-preset"},
		{"bad set", Options{Sets: []string{"flow.dt=-1"}}, "dt"},
		{"resume missing file", Options{Resume: "/nonexistent/x.npz"}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := setup(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("setup error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestDebugLogNoSymlink: the debug log refuses a symbolic link planted at
// its path, and GPA_DEBUG=1 writes into a private state folder.
func TestDebugLogNoSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "victim")
	if err := os.WriteFile(target, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "debug.log")
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
	if f, _, err := openDebugLog(link); err == nil {
		f.Close()
		t.Fatal("opened the log through a symbolic link")
	}
	t.Setenv("XDG_STATE_HOME", dir)
	f, path, err := openDebugLog("1")
	if err != nil {
		t.Fatal(err)
	}
	defer log.SetOutput(os.Stderr)
	f.Close()
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 || filepath.Base(path) != debugLogName {
		t.Errorf("log at %s (folder mode %v, %v)", path, fi.Mode().Perm(), err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Error("the link's target was written")
	}
}
