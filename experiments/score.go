package experiments

import (
	"fmt"
	"math"
	"slices"
)

// scoreKinds are the data set kinds whose density, and so whose score
// ∇log q, is known in closed form (core.Problem.Score).
var scoreKinds = []string{"gaussian", "mixture", "student-t-mixture", "logistic"}

// Score returns the closed-form score ∇log q of the data set's density and
// a short name for it, or nil when the kind has none (samples from files,
// images, gene data and the uniform box, whose score is 0 inside and
// undefined on the boundary). The returned function allocates nothing.
func (ds *Dataset) Score() (func(dst, y []float32, rows int), string) {
	if !slices.Contains(scoreKinds, ds.Kind) {
		return nil, ""
	}
	d := ds.dim()
	mean := make([]float64, d)
	copy(mean, ds.Mean)
	s := ds.Std
	switch ds.Kind {
	case "gaussian":
		// ∇log N(m, s²I)(y) = −(y − m)/s²
		return func(dst, y []float32, rows int) {
			for i := range rows {
				for t := range d {
					dst[i*d+t] = float32(-(float64(y[i*d+t]) - mean[t]) / (s * s))
				}
			}
		}, fmt.Sprintf("Gaussian σ %g", s)
	case "logistic":
		// log p(y) = −u − 2 log(1 + e^{−u}) − log s, u = (y − m)/s, per
		// coordinate: ∂/∂y = −tanh(u/2)/s.
		return func(dst, y []float32, rows int) {
			for i := range rows {
				for t := range d {
					u := (float64(y[i*d+t]) - mean[t]) / s
					dst[i*d+t] = float32(-math.Tanh(u/2) / s)
				}
			}
		}, fmt.Sprintf("logistic s %g", s)
	}
	k := len(ds.Centers)
	centers := make([]float64, 0, k*d)
	for _, c := range ds.Centers {
		centers = append(centers, c...)
	}
	logw := make([]float64, k) // log weights (the normalisation cancels)
	for c := range k {
		if len(ds.Weights) > 0 {
			logw[c] = math.Log(ds.Weights[c])
		}
	}
	nu := ds.Nu
	student := ds.Kind == "student-t-mixture"
	// logComp is log w_c + log p_c(y) up to a constant common to all c.
	logComp := func(c int, y []float32) float64 {
		lp := logw[c]
		for t, v := range y {
			e := (float64(v) - centers[c*d+t]) / s
			if student {
				lp -= (nu + 1) / 2 * math.Log1p(e*e/nu) // t_ν: (1 + e²/ν)^{−(ν+1)/2}
			} else {
				lp -= e * e / 2
			}
		}
		return lp
	}
	g := make([]float64, d) // scratch: the score is not safe for concurrent use
	score := func(dst, y []float32, rows int) {
		for i := range rows {
			yi := y[i*d : i*d+d]
			// Responsibilities r_c ∝ w_c p_c(y) by log-sum-exp, in two
			// passes so that nothing is allocated.
			top := math.Inf(-1)
			for c := range k {
				top = math.Max(top, logComp(c, yi))
			}
			var z float64
			clear(g)
			for c := range k {
				r := math.Exp(logComp(c, yi) - top)
				z += r
				for t, v := range yi {
					e := float64(v) - centers[c*d+t]
					if student {
						g[t] += r * -(nu + 1) * e / (nu*s*s + e*e) // ∂/∂y log t_ν((y−c)/s)
					} else {
						g[t] += r * -e / (s * s)
					}
				}
			}
			for t, v := range g {
				dst[i*d+t] = float32(v / z)
			}
		}
	}
	name := fmt.Sprintf("Gaussian mixture ×%d σ %g", k, s)
	if student {
		name = fmt.Sprintf("Student-t mixture ×%d ν %g", k, nu)
	}
	return score, name
}
