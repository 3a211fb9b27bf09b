package conj

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want F
		str  string // canonical String()
	}{
		{"kl", F{Kind: KL}, "kl"},
		{"KL", F{Kind: KL}, "kl"},
		{" rkl ", F{Kind: ReverseKL}, "rkl"},
		{"Js", F{Kind: JensenShannon}, "js"},
		{"W1", F{Kind: Wasserstein}, "w1"},
		{"alpha:2", F{Kind: Alpha, Alpha: 2}, "alpha:2"},
		{"ALPHA:2.0", F{Kind: Alpha, Alpha: 2}, "alpha:2"},
		{"alpha:0.5", F{Kind: Alpha, Alpha: 0.5}, "alpha:0.5"},
		{"alpha:3", F{Kind: Alpha, Alpha: 3}, "alpha:3"},
		{"alpha:1e-3", F{Kind: Alpha, Alpha: 1e-3}, "alpha:0.001"},
		{"alpha: 10", F{Kind: Alpha, Alpha: 10}, "alpha:10"},
		{"alpha:0.1", F{Kind: Alpha, Alpha: 0.1}, "alpha:0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if s := got.String(); s != tt.str {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, s, tt.str)
			}
			back, err := Parse(got.String())
			if err != nil || back != got {
				t.Errorf("Parse(%q) = %+v, %v; want %+v", got.String(), back, err, got)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	bad := []string{
		"", "foo", "kl2", "kl:1", "alpha", "alpha:", "alpha:x", "alpha2",
		"alpha:1", "alpha:1.0", "alpha:0", "alpha:-0", "alpha:-2",
		"alpha:nan", "alpha:NaN", "alpha:inf", "alpha:+Inf", "alpha:-inf",
		"alpha:1e400", "alpha:2:3", "beta:2",
	}
	for _, in := range bad {
		t.Run(in, func(t *testing.T) {
			f, err := Parse(in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", in, f)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%q) error %v does not wrap ErrInvalid", in, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, strconv.Quote(in)) {
				t.Errorf("Parse(%q) error %q does not name the input", in, msg)
			}
			if !strings.Contains(msg, `"alpha:<α>"`) || !strings.Contains(msg, `"w1"`) {
				t.Errorf("Parse(%q) error %q does not list the valid forms", in, msg)
			}
		})
	}
}

func TestStringUnknownKind(t *testing.T) {
	if s := (F{Kind: 42}).String(); s != "conj.Kind(42)" {
		t.Errorf("String() = %q, want %q", s, "conj.Kind(42)")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"kl", "alpha:2", "alpha:nan", "alpha:inf", "alpha:-0.0",
		"alpha:99999999999999999999999", "alpha:1.0000000000000002", "alpha:5e-324", "js", "w1", "rkl"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		if d.Kind == Alpha && !(d.Alpha > 0 && d.Alpha != 1 && !math.IsInf(d.Alpha, 0)) {
			t.Fatalf("Parse(%q) accepted α = %g", s, d.Alpha)
		}
		back, err := Parse(d.String())
		if err != nil || back != d {
			t.Fatalf("Parse(%q) = %+v; Parse(%q) = %+v, %v", s, d, d.String(), back, err)
		}
	})
}
