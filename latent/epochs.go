package latent

import (
	"math"
	"math/rand/v2"
)

// Epochs runs the shuffled minibatch loop shared by the autoencoder and the
// image classifier: every epoch it reshuffles the row indices 0…rows−1 with
// a PCG(seed, stream) generator and calls step on consecutive batches of at
// most batch indices; step returns the batch's mean loss. After each epoch
// it calls progress (if not nil) with the mean loss per row. It stops at a
// non-finite loss and returns it with the epoch (1-based); otherwise it
// returns the last epoch's mean loss and epoch 0.
func Epochs(rows, batch, epochs int, seed, stream uint64, step func(idx []int) float64, progress func(epoch, epochs int, loss float64)) (loss float64, badEpoch int) {
	rng := rand.New(rand.NewPCG(seed, stream))
	perm := make([]int, rows)
	for i := range perm {
		perm[i] = i
	}
	for epoch := range epochs {
		rng.Shuffle(rows, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var sum float64
		for start := 0; start < rows; start += batch {
			idx := perm[start:min(start+batch, rows)]
			l := step(idx)
			if math.IsNaN(l) || math.IsInf(l, 0) {
				return l, epoch + 1
			}
			sum += l * float64(len(idx))
		}
		loss = sum / float64(rows)
		if progress != nil {
			progress(epoch+1, epochs, loss)
		}
	}
	return loss, 0
}
