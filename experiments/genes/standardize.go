package genes

import (
	"math"
	"strconv"
)

// Standardization selects how Prepare scales the genes before the PCA.
type Standardization int

const (
	// Pooled standardizes every gene to mean 0 and variance 1 over the
	// source and target samples together, as the paper does (Appendix F.3:
	// "the combined matrix ... normalized to mean zero and variance one").
	// The batch difference stays in the data for the transport to remove.
	Pooled Standardization = iota
	// PerSet standardizes the source and the target separately, each with
	// its own per-gene mean and variance. This alone removes every per-gene
	// location and scale difference between the sets (much like ComBat
	// without shrinkage), so the transport only has to match the remaining
	// joint structure; decoded source samples are put back in the target's
	// units.
	PerSet
)

// String returns "pooled" or "per-set".
func (s Standardization) String() string {
	switch s {
	case Pooled:
		return "pooled"
	case PerSet:
		return "per-set"
	}
	return "Standardization(" + strconv.Itoa(int(s)) + ")"
}

// Scaler standardizes genes: z = (x − Mean)/Scale, column by column.
type Scaler struct {
	Mean  []float64
	Scale []float64 // sample standard deviation (n−1); 1 for constant genes
}

// FitScaler returns the per-column mean and sample standard deviation
// (denominator n−1, as R's scale()) of the rows×cols row-major x. A
// constant column gets Scale 1, so it standardizes to 0 instead of NaN.
func FitScaler(x []float64, rows, cols int) Scaler {
	if len(x) != rows*cols || rows < 1 {
		panic("genes: FitScaler: shape mismatch")
	}
	s := Scaler{Mean: make([]float64, cols), Scale: make([]float64, cols)}
	for i := range rows {
		for j, v := range x[i*cols : (i+1)*cols] {
			s.Mean[j] += v
		}
	}
	for j := range s.Mean {
		s.Mean[j] /= float64(rows)
	}
	for i := range rows {
		for j, v := range x[i*cols : (i+1)*cols] {
			d := v - s.Mean[j]
			s.Scale[j] += d * d
		}
	}
	for j, ss := range s.Scale {
		sd := 0.0
		if rows > 1 {
			sd = math.Sqrt(ss / float64(rows-1))
		}
		if !(sd > 0) {
			sd = 1
		}
		s.Scale[j] = sd
	}
	return s
}

// ApplyTo writes (x − Mean)/Scale into dst; dst may be x.
func (s Scaler) ApplyTo(dst, x []float64) {
	c := len(s.Mean)
	if len(dst) != len(x) || len(x)%c != 0 {
		panic("genes: Scaler.ApplyTo: shape mismatch")
	}
	for i, v := range x {
		j := i % c
		dst[i] = (v - s.Mean[j]) / s.Scale[j]
	}
}

// InvertTo writes z·Scale + Mean into dst; dst may be z.
func (s Scaler) InvertTo(dst, z []float64) {
	c := len(s.Mean)
	if len(dst) != len(z) || len(z)%c != 0 {
		panic("genes: Scaler.InvertTo: shape mismatch")
	}
	for i, v := range z {
		j := i % c
		dst[i] = v*s.Scale[j] + s.Mean[j]
	}
}
