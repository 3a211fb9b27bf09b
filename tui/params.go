package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// cflWarn is the per-step displacement bound over the target's length
// scale, L·Δt/ℓ, above which the panel warns: the CFL number of an explicit
// scheme must stay ≤ C_max = 1 (paper, App. B.2, after LeVeque 2007), and
// the speed limit L of Remark 4.1(c) makes L·Δt the largest step a particle
// can take.
const cflWarn = 1.0

// speedSlack is the relative tolerance on max|∇φ| ≤ L: the velocities are
// float32 (ε ≈ 6e-8) summed over a few layers, so 1e-3 is far above
// rounding and far below a real violation.
const speedSlack = 1e-3

// paramInfo is what the parameter panel shows; the model fills it from the
// Sim's Config and latest Metrics, with pending changes applied.
type paramInfo struct {
	Preset         string
	F, Formulation string
	L, Dt, LR      float64
	Optimizer      string
	Solver         string
	InnerSteps     int
	M, N, Dim      int
	Step, Steps    int     // completed steps, planned steps (0: open-ended)
	StepsPerSec    float64 // 0 when unknown
	MaxSpeed       float64
	HasSpeed       bool
	LengthScale    float64

	// Pending marks values changed by a key but not yet applied to the Sim
	// (a step is in flight); they are shown with a trailing "*".
	PendingL, PendingDt, PendingLR, PendingInner bool
}

// paramPanel renders paramInfo as paramRows lines of width w.
type paramPanel struct {
	w     int
	info  paramInfo
	cache string
}

// SetSize sets the width; the height is always paramRows.
func (p *paramPanel) SetSize(w, _ int) { p.w = max(w, 1) }

// View is the cached rendering.
func (p *paramPanel) View() string { return p.cache }

// set stores the values and redraws.
func (p *paramPanel) set(info paramInfo, st *Styles) {
	p.info = info
	p.redraw(st)
}

// redraw renders the cached lines.
func (p *paramPanel) redraw(st *Styles) {
	in := p.info
	pend := func(v string, pending bool) string {
		if pending {
			return st.Warn.Render(v + "*")
		}
		return st.Value.Render(v)
	}
	sep := st.Muted.Render(" · ")
	steps := strconv.Itoa(in.Step)
	if in.Steps > 0 {
		steps += st.Muted.Render("/" + strconv.Itoa(in.Steps))
	}
	rate := st.Muted.Render("–")
	if in.StepsPerSec > 0 {
		rate = st.Value.Render(fmtNum(in.StepsPerSec)) + st.Muted.Render(" steps/s")
	}
	f := st.Value.Render(in.F)
	if in.Formulation != "" {
		f += sep + st.Muted.Render(in.Formulation)
	}
	lines := [][2]string{
		{"preset", st.Value.Render(in.Preset)},
		{"f", f},
		{"L", pend(fmtNum(in.L), in.PendingL)},
		{"Δt", pend(fmtNum(in.Dt), in.PendingDt) + sep + st.Muted.Render(in.Solver)},
		{"opt", st.Value.Render(in.Optimizer) + sep + st.Label.Render("δ ") + pend(fmtNum(in.LR), in.PendingLR)},
		{"T_NN", pend(strconv.Itoa(in.InnerSteps), in.PendingInner)},
		{"M·N·d", st.Value.Render(fmt.Sprintf("%d·%d·%d", in.M, in.N, in.Dim))},
		{"step", st.Value.Render(steps)},
		{"rate", rate},
		{"|v|max", p.speedCheck(st)},
		{"L·Δt/ℓ", p.cflCheck(st)},
	}
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		line := st.Label.Render(fmt.Sprintf("%-7s", l[0])) + l[1]
		b.WriteString(padRight(ansi.Truncate(line, p.w, "…"), p.w))
	}
	p.cache = b.String()
}

// speedCheck shows the largest particle speed against the speed limit L
// (Remark 4.1(c): |∇φ| ≤ L for φ ∈ Γ_L).
func (p *paramPanel) speedCheck(st *Styles) string {
	in := p.info
	if !in.HasSpeed {
		return st.Muted.Render("–")
	}
	v := fmtNum(in.MaxSpeed)
	switch {
	case math.IsInf(in.L, 1):
		return st.Value.Render(v) + st.Muted.Render(" (L = ∞)")
	case in.MaxSpeed <= in.L*(1+speedSlack):
		return st.Value.Render(v) + st.Muted.Render(" ≤ L ") + st.OK.Render("ok")
	default:
		return st.Bad.Render(v + " > L!")
	}
}

// cflCheck shows the per-step displacement bound L·Δt over the target's
// length scale ℓ, and warns above cflWarn.
func (p *paramPanel) cflCheck(st *Styles) string {
	in := p.info
	if !(in.LengthScale > 0) {
		return st.Muted.Render("–")
	}
	r := in.L * in.Dt / in.LengthScale
	s := fmtNum(r)
	scale := st.Muted.Render(" (ℓ " + fmtNum(in.LengthScale) + ")")
	if r > cflWarn {
		return st.Warn.Render(s+" large!") + scale
	}
	return st.Value.Render(s) + scale
}
