package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

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
// engine's configuration, parameter table and latest metrics, with pending
// changes applied.
type paramInfo struct {
	Preset      string
	Kind        string   // the method ("gpa")
	Summary     []string // its fixed settings ("kl · dv", "sgd", "euler")
	Params      []paramValue
	M, N, Dim   int
	Step, Steps int     // completed steps, planned steps (0: open-ended)
	StepsPerSec float64 // 0 when unknown

	// Limit compares a metric with the parameter that bounds it (max |∇φ|
	// against L, Remark 4.1(c)); nil when the method has none.
	Limit *limitInfo
	// CFL is the displacement bound L·Δt against the target's length
	// scale ℓ when the method has both parameters (else ok = false).
	L, Dt, LengthScale float64
	HasCFL             bool
}

// paramValue is one row of the parameter table.
type paramValue struct {
	Symbol  string
	Value   float64
	Pending bool // changed by a key, not yet applied (shown with "*")
}

// limitInfo is a metric and its limit.
type limitInfo struct {
	Symbol, LimitSymbol string  // "|v|max", "L"
	Value, Limit        float64 // the latest value and the limit
	Have                bool    // a value was measured
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

// redraw renders the cached lines.
func (p *paramPanel) redraw(st *Styles) {
	in := p.info
	sep := st.Muted.Render(" · ")
	steps := strconv.Itoa(in.Step)
	if in.Steps > 0 {
		steps += st.Muted.Render("/" + strconv.Itoa(in.Steps))
	}
	rate := st.Muted.Render("–")
	if in.StepsPerSec > 0 {
		rate = st.Value.Render(fmtNum(in.StepsPerSec)) + st.Muted.Render(" steps/s")
	}
	var summary []string
	for _, v := range in.Summary {
		summary = append(summary, st.Value.Render(v))
	}
	lines := [][2]string{
		{"preset", st.Value.Render(in.Preset)},
		{in.Kind, strings.Join(summary, sep)},
	}
	for _, pv := range in.Params {
		v := fmtNum(pv.Value)
		if pv.Pending {
			v = st.Warn.Render(v + "*")
		} else {
			v = st.Value.Render(v)
		}
		lines = append(lines, [2]string{pv.Symbol, v})
	}
	lines = append(lines,
		[2]string{"M·N·d", st.Value.Render(fmt.Sprintf("%d·%d·%d", in.M, in.N, in.Dim))},
		[2]string{"step", st.Value.Render(steps)},
		[2]string{"rate", rate},
	)
	if in.Limit != nil {
		lines = append(lines, [2]string{in.Limit.Symbol, p.limitCheck(st)})
	}
	if in.HasCFL {
		lines = append(lines, [2]string{"L·Δt/ℓ", p.cflCheck(st)})
	}
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		label := fmt.Sprintf("%-7s", l[0])
		if utf8.RuneCountInString(l[0]) >= 7 {
			label += " " // a long label ("wgan-gp", "mmd-flow") keeps a gap
		}
		line := st.Label.Render(label) + l[1]
		b.WriteString(padRight(ansi.Truncate(line, p.w, "…"), p.w))
	}
	p.cache = fitBlock(b.String(), p.w, paramRows)
}

// limitCheck shows a metric against its limit: the largest particle
// speed against the speed limit L (Remark 4.1(c): |∇φ| ≤ L for φ ∈ Γ_L).
func (p *paramPanel) limitCheck(st *Styles) string {
	l := p.info.Limit
	if !l.Have {
		return st.Muted.Render("–")
	}
	v := fmtNum(l.Value)
	switch {
	case math.IsInf(l.Limit, 1):
		return st.Value.Render(v) + st.Muted.Render(" ("+l.LimitSymbol+" = ∞)")
	case l.Value <= l.Limit*(1+speedSlack):
		return st.Value.Render(v) + st.Muted.Render(" ≤ "+l.LimitSymbol+" ") + st.OK.Render("ok")
	default:
		return st.Bad.Render(v + " > " + l.LimitSymbol + "!")
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
