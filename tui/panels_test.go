package tui

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

func TestFmtNum(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {1, "1"}, {-2.5, "-2.5"}, {0.005, "0.005"}, {1234.5, "1234"},
		{0.12345, "0.123"}, {99999, "99999"}, {1e5, "1e5"}, {1.5e-5, "1.5e-5"},
		{math.Inf(1), "∞"}, {math.NaN(), "NaN"},
	} {
		if got := fmtNum(tc.v); got != tc.want {
			t.Errorf("fmtNum(%g) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		max    int
		want   []float64
	}{
		// step 2 would give 6 ticks > 5, so the step grows to 5.
		{0, 10, 5, []float64{0, 5, 10}},
		{0, 10, 6, []float64{0, 2, 4, 6, 8, 10}},
		{-0.3, 4.3, 3, []float64{0, 2, 4}},
		{0.1, 0.35, 3, []float64{0.1, 0.2, 0.3}},
		{-1, 1, 2, []float64{-1, 0, 1}[1:2]}, // step 1 gives 3 > 2 ticks, step 2 gives {0}
		{1, 1, 3, nil},
		{0, math.Inf(1), 3, nil},
	} {
		got := niceTicks(tc.lo, tc.hi, tc.max)
		if !slices.Equal(got, tc.want) {
			t.Errorf("niceTicks(%g, %g, %d) = %v, want %v", tc.lo, tc.hi, tc.max, got, tc.want)
		}
	}
}

func TestLayout(t *testing.T) {
	for _, tc := range []struct {
		w, h     int
		tooSmall bool
	}{
		{79, 24, true}, {80, 23, true}, {40, 12, true}, {80, 24, false},
		{100, 30, false}, {160, 48, false}, {200, 60, false}, {300, 100, false},
	} {
		r := layout(tc.w, tc.h)
		if r.TooSmall != tc.tooSmall {
			t.Errorf("layout(%d, %d).TooSmall = %v, want %v", tc.w, tc.h, r.TooSmall, tc.tooSmall)
			continue
		}
		if r.TooSmall {
			continue
		}
		if r.PlotW+r.SideW != tc.w {
			t.Errorf("layout(%d, %d): plot %d + side %d ≠ width", tc.w, tc.h, r.PlotW, r.SideW)
		}
		if rows := headerRows + r.PlotH + statusRows + helpRows; rows != tc.h {
			t.Errorf("layout(%d, %d): %d rows", tc.w, tc.h, rows)
		}
		side := paramRows + 1 + sparkCount*(1+r.SparkH) + r.EventsH
		if side > r.SideH || r.SparkH < 1 {
			t.Errorf("layout(%d, %d): side needs %d rows of %d (spark %d)", tc.w, tc.h, side, r.SideH, r.SparkH)
		}
		if r.PlotH < 10 || r.PlotW < 40 {
			t.Errorf("layout(%d, %d): plot %d×%d too small", tc.w, tc.h, r.PlotW, r.PlotH)
		}
	}
}

func TestSpark(t *testing.T) {
	st := newStyles(colorprofile.TrueColor)
	t.Run("bars rise with the values", func(t *testing.T) {
		s := spark{label: "D"}
		s.SetSize(30, 1)
		s.values, s.limit = []float64{0, 1, 2, 3, 4, 5, 6, 7}, 0
		s.redraw(&st)
		lines := strings.Split(ansi.Strip(s.View()), "\n")
		if len(lines) != 2 {
			t.Fatalf("%d lines, want 2", len(lines))
		}
		if got, want := lines[1], "▁▂▃▄▅▆▇█"+strings.Repeat(" ", 22); got != want {
			t.Errorf("bars = %q, want %q", got, want)
		}
		if !strings.Contains(lines[0], "7") || !strings.Contains(lines[0], "↓0 ↑7") {
			t.Errorf("label = %q, want current 7 and ↓0 ↑7", lines[0])
		}
	})
	t.Run("squeezed by averaging", func(t *testing.T) {
		s := spark{label: "D"}
		s.SetSize(2, 1)
		s.values, s.limit = []float64{0, 0, 10, 10}, 0
		s.redraw(&st)
		if got, want := strings.Split(ansi.Strip(s.View()), "\n")[1], "▁█"; got != want {
			t.Errorf("bars = %q, want %q", got, want)
		}
	})
	t.Run("log scale skips non-positive", func(t *testing.T) {
		s := spark{label: "KE", log: true}
		s.SetSize(30, 1)
		s.values, s.limit = []float64{1, 0, 10, 100}, 0
		s.redraw(&st)
		got := strings.Split(ansi.Strip(s.View()), "\n")
		// log10: 0, -, 1, 2 → lowest, blank, middle, full.
		if want := "▁ ▅█"; strings.TrimRight(got[1], " ") != want {
			t.Errorf("bars = %q, want %q", got[1], want)
		}
		if !strings.Contains(got[0], "↓1 ↑100") {
			t.Errorf("label = %q, want ↓1 ↑100", got[0])
		}
	})
	t.Run("limit is a full bar", func(t *testing.T) {
		s := spark{label: "|v|", unit: "L"}
		s.SetSize(30, 2)
		s.values, s.limit = []float64{0.5, 1}, 2
		s.redraw(&st)
		got := strings.Split(ansi.Strip(s.View()), "\n")
		// 16 levels from 0 to L = 2: 1 → level 9 of 16 (one eighth into
		// the top row), 0.5 → level 5.
		if top, bot := strings.TrimRight(got[1], " "), strings.TrimRight(got[2], " "); top != " ▁" || bot != "▅█" {
			t.Errorf("bars = %q, want [\" ▁\" \"▅█\"]", got[1:])
		}
		if !strings.Contains(got[0], "1 (L 2)") {
			t.Errorf("label = %q, want 1 (L 2)", got[0])
		}
	})
	t.Run("no values", func(t *testing.T) {
		s := spark{label: "MMD²"}
		s.SetSize(10, 1)
		s.values, s.limit = nil, 0
		s.redraw(&st)
		got := strings.Split(ansi.Strip(s.View()), "\n")
		if got[1] != "          " || !strings.Contains(got[0], "–") {
			t.Errorf("empty spark = %q", got)
		}
	})
}

func TestParamPanelWarnings(t *testing.T) {
	st := newStyles(colorprofile.TrueColor)
	base := paramInfo{Preset: "p", Kind: "gpa", Summary: []string{"kl · dv", "sgd", "euler"},
		Params: []paramValue{{"L", 1, false}, {"Δt", 1, false}, {"δ", 0.005, false}, {"T_NN", 5, false}},
		M:      200, N: 200, Dim: 2, Step: 3, L: 1, Dt: 1, HasCFL: true, LengthScale: 2.9,
		Limit: &limitInfo{Symbol: "|v|max", LimitSymbol: "L", Value: 0.9, Limit: 1, Have: true}}
	for _, tc := range []struct {
		name      string
		edit      func(*paramInfo)
		want, not []string
	}{
		{"ok", func(*paramInfo) {}, []string{"0.9 ≤ L ok", "0.345 (ℓ 2.9)"}, []string{"large", "> L"}},
		{"cfl", func(p *paramInfo) { p.L = 10 }, []string{"3.45 large!"}, nil},
		{"speed", func(p *paramInfo) { p.Limit = &limitInfo{"|v|max", "L", 1.5, 1, true} }, []string{"1.5 > L!"}, nil},
		{"pending", func(p *paramInfo) {
			p.Params = append([]paramValue{{"L", 2, true}}, p.Params[1:]...)
		}, []string{"L      2*"}, nil},
		{"inf", func(p *paramInfo) { p.L, p.Limit = math.Inf(1), &limitInfo{"|v|max", "L", 0.9, math.Inf(1), true} }, []string{"(L = ∞)", "∞ large!"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := base
			tc.edit(&in)
			var p paramPanel
			p.SetSize(30, paramRows)
			p.info = in
			p.redraw(&st)
			got := ansi.Strip(p.View())
			if n := strings.Count(got, "\n") + 1; n != paramRows {
				t.Errorf("%d lines, want %d", n, paramRows)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in\n%s", w, got)
				}
			}
		})
	}
}

func TestPlotPanel(t *testing.T) {
	st := newStyles(colorprofile.TrueColor)
	var p plotPanel
	p.SetSize(50, 20)
	p.targets = []float32{0, 0, 4, 4}
	p.particles = []float32{2, 2}
	p.initial = []float32{100, 100}
	p.caption = "x0 vs x1"
	p.redraw(&st)
	lines := strings.Split(ansi.Strip(p.View()), "\n")
	if len(lines) != 20 {
		t.Fatalf("%d lines, want 20", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 50 {
			t.Errorf("line %d is %d wide, want 50: %q", i, w, l)
		}
	}
	dots := 0
	for _, l := range lines[1:18] {
		for _, r := range l {
			if r > 0x2800 && r <= 0x28ff {
				dots++
			}
		}
	}
	if dots != 3 {
		t.Errorf("%d braille cells, want 3 (initial hidden, out of view)", dots)
	}
	if !strings.Contains(lines[18], "└") || !strings.Contains(lines[18], "┬") {
		t.Errorf("x axis = %q", lines[18])
	}
	for _, lab := range []string{"0", "2", "4"} {
		if !strings.Contains(lines[19], lab) {
			t.Errorf("x labels %q lack %s", lines[19], lab)
		}
	}
	if !strings.Contains(lines[0], "x0 vs x1 · auto") {
		t.Errorf("legend = %q", lines[0])
	}

	// Freeze keeps the view while the data move away; autoscale follows.
	x0, x1 := p.xmin, p.xmax
	p.frozen = true
	p.particles = []float32{40, 40}
	p.redraw(&st)
	if p.xmin != x0 || p.xmax != x1 {
		t.Errorf("frozen view moved: [%g, %g] → [%g, %g]", x0, x1, p.xmin, p.xmax)
	}
	p.frozen = false
	p.redraw(&st)
	if !(p.xmax >= 40) {
		t.Errorf("autoscale xmax = %g, want ≥ 40", p.xmax)
	}
}
