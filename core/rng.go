package core

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// Streams of the seeded PCG generator (the second PCG seed word, or the top
// byte xor-ed into the seed of a lipnet initialisation), one per random
// quantity, so that changing one leaves the others unchanged. Package
// experiments uses 1 (targets) and 2 (prior); GPA's φ is 3.
const (
	streamNoise     = 4 // Langevin and MMD-flow noise, GAN interpolation weights
	streamBatch     = 5 // minibatches: data rows, noise levels, GAN latent codes
	streamCodes     = 6 // the fixed latent codes a GAN's displayed samples come from
	streamGenerator = 7 // the initialisation of a GAN generator
	streamScoreNet  = 8 // the initialisation of an NCSN score network
)

// stream is a seeded PCG random stream owned by a method (Langevin noise,
// minibatches, latent codes). Its state is part of the method's state, so
// that a resumed run draws the same numbers as one run straight through;
// mark and reset save and restore it for Undo without allocating.
type stream struct {
	pcg  rand.PCG
	mark rand.PCG
	*rand.Rand
}

func newStream(seed, id uint64) *stream {
	s := &stream{pcg: *rand.NewPCG(seed, id)}
	s.Rand = rand.New(&s.pcg)
	return s
}

// save remembers the current state (before a step).
func (s *stream) save() { s.mark = s.pcg }

// restore goes back to the saved state (Undo).
func (s *stream) restore() { s.pcg = s.mark }

// state is the PCG state (two 64-bit words) as four float64 holding 32 bits
// each: exact integers, so a snapshot stores them losslessly and no bit
// pattern is a NaN.
func (s *stream) state() []float64 {
	b, _ := s.pcg.MarshalBinary() // "pcg:" + hi + lo, big-endian
	out := make([]float64, 4)
	for i := range out {
		out[i] = float64(binary.BigEndian.Uint32(b[4+4*i:]))
	}
	return out
}

// setState restores what state returned.
func (s *stream) setState(v []float64) error {
	if len(v) != 4 {
		return fmt.Errorf("random stream state has %d values, want 4", len(v))
	}
	b := append(make([]byte, 0, 20), "pcg:"...)
	for _, x := range v {
		if !(x >= 0 && x < 1<<32 && x == float64(uint32(x))) {
			return fmt.Errorf("random stream state %v is not a 32-bit word", x)
		}
		b = binary.BigEndian.AppendUint32(b, uint32(x))
	}
	return s.pcg.UnmarshalBinary(b)
}

// normalsTo fills dst with independent N(0, 1) draws.
func (s *stream) normalsTo(dst []float32) {
	for i := range dst {
		dst[i] = float32(s.NormFloat64())
	}
}
