package core

import (
	"fmt"
	"math"
	"strconv"
)

// Param declares one parameter that can change mid-run. It is the one
// place a parameter is described: Sim.Set, Config.Validate, the
// workbench's keys and command line, the events list and snapshots all
// read it.
type Param struct {
	Key    string // name in Sim.Set, events and snapshots ("lipschitz")
	Preset string // its preset key ("discriminator.lipschitz")
	Symbol string // shown in the workbench ("L")
	Doc    string // one line, with the paper's name for it

	// Valid values: Min ≤ v ≤ Max (MinOpen: Min < v), an integer if Int,
	// and +Inf if Inf (L = ∞: an unconstrained net).
	Min, Max float64
	MinOpen  bool
	Int      bool
	Inf      bool

	Nudge    Nudge  // how the workbench's keys step it
	Up, Down string // the workbench's keys that raise and lower it

	get func(*Config) float64
	set func(*Config, float64)
}

// Nudge says how a key steps a parameter.
type Nudge int

// Nudges.
const (
	NudgeNice Nudge = iota // to the next of 1, 2, 5 × 10ᵏ
	NudgeUnit              // by ±1
)

// Check returns an error naming the parameter and its valid range if v is
// not allowed.
func (p *Param) Check(v float64) error {
	ok := !math.IsNaN(v)
	switch {
	case math.IsInf(v, 1):
		ok = p.Inf
	case p.MinOpen:
		ok = ok && v > p.Min && v <= p.Max
	default:
		ok = ok && v >= p.Min && v <= p.Max
	}
	if ok && p.Int && !math.IsInf(v, 0) && v != math.Trunc(v) {
		ok = false
	}
	if ok {
		return nil
	}
	return fmt.Errorf("%s = %s: want %s", p.Symbol, FormatValue(v), p.Range())
}

// Range describes the valid values ("0 < Δt ≤ 1e+06").
func (p *Param) Range() string {
	lo := "≤"
	if p.MinOpen {
		lo = "<"
	}
	s := fmt.Sprintf("%s %s %s ≤ %s", FormatValue(p.Min), lo, p.Symbol, FormatValue(p.Max))
	if math.IsInf(p.Max, 1) {
		s = fmt.Sprintf("%s %s %s", p.Symbol, map[bool]string{true: ">", false: "≥"}[p.MinOpen], FormatValue(p.Min))
	}
	if p.Int {
		s = "an integer " + s
	}
	if p.Inf {
		s += ` or "inf"`
	}
	return s
}

// Get reads the parameter from a configuration.
func (p *Param) Get(c *Config) float64 { return p.get(c) }

// Parse reads a value typed by a user ("3", "1e-3", "inf").
func (p *Param) Parse(s string) (float64, error) {
	if p.Inf {
		l, err := ParseLipschitz(s)
		if err != nil {
			return 0, fmt.Errorf("%s: %v", p.Symbol, err)
		}
		return float64(l), p.Check(float64(l))
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a number", p.Symbol, s)
	}
	return v, p.Check(v)
}

// FormatValue writes a parameter value briefly: "inf", "0.005", "1e+06".
func FormatValue(v float64) string {
	if math.IsInf(v, 1) {
		return "inf"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// ParamTable is the list of a method's mid-run parameters.
type ParamTable []Param

// Lookup finds a parameter by key, preset key or symbol.
func (t ParamTable) Lookup(name string) (*Param, bool) {
	for i := range t {
		if p := &t[i]; p.Key == name || p.Preset == name || p.Symbol == name {
			return p, true
		}
	}
	return nil, false
}

// validate checks the values of every parameter in c, naming the preset
// key of the first invalid one.
func (t ParamTable) validate(c *Config) error {
	for i := range t {
		p := &t[i]
		if err := p.Check(p.get(c)); err != nil {
			return &FieldError{Key: p.Preset, Msg: err.Error()}
		}
	}
	return nil
}
