package tui

import (
	"math"

	"github.com/gpa-tui/gpa-tui/core"
)

// sparkDef says what one sparkline shows: a value of the step metrics
// (ok false: none at this step).
type sparkDef struct {
	label  string
	log    bool
	unit   string  // the limit's name on the label line, e.g. "L"
	limitL bool    // the limit is the current L
	limit  float64 // else a fixed limit if > 0 (drawn as a full bar)
	value  func(mt *core.Metrics) (float64, bool)
}

// plainSparks are the divergence estimate D̂ (eq. 3), the kinetic energy
// (eq. 13) and MMD² on log scales, and the largest speed on a log scale
// whose top is L: the flow can slow down by orders of magnitude below the
// speed limit (Remark 4.1(c)).
var plainSparks = [sparkCount]sparkDef{
	{label: "D̂", value: func(mt *core.Metrics) (float64, bool) { return mt.Divergence, true }},
	{label: "KE", log: true, value: func(mt *core.Metrics) (float64, bool) { return mt.KineticEnergy, true }},
	{label: "MMD²", log: true, value: func(mt *core.Metrics) (float64, bool) { return mt.MMD2, mt.HasMMD }},
	{label: "|v|max", unit: "L", limitL: true, log: true, value: func(mt *core.Metrics) (float64, bool) { return mt.MaxSpeed, true }},
}

// imageValue reads an image metric, measured every flow.metrics_every
// steps (NaN where undefined).
func imageValue(f func(mt *core.Metrics) float64) func(mt *core.Metrics) (float64, bool) {
	return func(mt *core.Metrics) (float64, bool) {
		if !mt.HasImage {
			return 0, false
		}
		v := f(mt)
		return v, !math.IsNaN(v)
	}
}

// imageSparks are the sparklines of an image run with a classifier (core's
// MNIST and Fashion-MNIST): D̂ and KE, then the classifier Fréchet distance
// (log) and, for conditional runs, the accuracy (0 … 1; MMD² otherwise).
// The largest speed stays on the parameter panel's speed check.
func imageSparks(conditional bool) [sparkCount]sparkDef {
	s := plainSparks
	s[2] = sparkDef{label: "Fréchet", log: true, value: imageValue(func(mt *core.Metrics) float64 { return mt.Frechet })}
	s[3] = plainSparks[2]
	if conditional {
		s[3] = sparkDef{label: "accuracy", limit: 1, value: imageValue(func(mt *core.Metrics) float64 { return mt.Accuracy })}
	}
	return s
}

// hasClassifier reports whether core measures the accuracy and Fréchet
// distance of an image data set (core.classifierFor: MNIST and
// Fashion-MNIST; CIFAR-10 has no classifier).
func hasClassifier(kind string) bool { return kind == "mnist" || kind == "fashion-mnist" }

// setSparks installs the sparkline definitions and empties the series.
func (m *model) setSparks(defs [sparkCount]sparkDef) {
	m.sparkDefs = defs
	for i, d := range defs {
		w, h := m.sparks[i].w, m.sparks[i].h
		m.sparks[i] = spark{label: d.label, log: d.log, unit: d.unit}
		m.sparks[i].SetSize(w, h)
		m.series[i] = m.series[i][:0]
	}
}

// sparkLimit is the limit of sparkline i.
func (m *model) sparkLimit(i int) float64 {
	if m.sparkDefs[i].limitL {
		return m.shown(core.ParamLipschitz)
	}
	return m.sparkDefs[i].limit
}
