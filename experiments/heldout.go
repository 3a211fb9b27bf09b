package experiments

import (
	"fmt"
	"math/rand/v2"

	"github.com/gpa-tui/gpa-tui/experiments/images"
)

// Held-out validation split of an image target (target.holdout = K).
//
// GPA converges to the *empirical* target measure: a long image run ends
// with particles on top of the N targets (mnist-latent-200 at step 3000:
// 22% near-copies of one target, and the classifier Fréchet distance to
// test images is best at step 2000 and worse after; issue #10). Deciding when to stop on
// the targets themselves, or on the images used for the final report,
// would be circular. K further images of every class are never shown to
// the flow; the image metrics measure the particles against them every
// flow.metrics_every steps ("heldout_frechet", or "heldout_mmd2" without a
// classifier), the problem names that metric as its Criterion, `run` keeps
// the snapshot of its best step (best.npz) and, with flow.stop =
// "best-heldout", stops once it has not improved for flow.patience steps.
//
// Where they come from: the classifier whose features define the Fréchet
// distance, and the autoencoder, are trained on the whole training split,
// so held-out *training* images would be images those models have seen,
// like the targets. The held-out images are therefore drawn from the test
// split, outside its first refRows images (the reference of the reported
// "frechet") and never equal to a target: seen by no model, and disjoint
// from what the final numbers are measured on. (Measured on mnist-latent-200,
// seed 1, the choice made no difference to the trend: with training or with
// test images held out, the held-out Fréchet distance kept falling until
// step 3000, where 22% of the particles are near-copies. Copies of real
// images are good images to a Fréchet distance; so the best step is also
// bounded by a near-copy budget, flow.max_copies.)

// streamHoldout is the PCG stream of the held-out draw: the targets (stream
// 1) are the same with or without a held-out split.
const streamHoldout = 5

// heldOutPool is the set the held-out images are drawn from: the test
// split without its first refRows images.
func heldOutPool(t Dataset) (*images.Set, error) {
	test, err := images.Load(t.Kind, t.Path, images.Test)
	if err != nil {
		return nil, fmt.Errorf("target.holdout: %w", err)
	}
	if test.N <= refRows {
		return nil, fieldErr("target.holdout", "the test split has %d images, none beyond the %d of the Fréchet reference", test.N, refRows)
	}
	rows := make([]int, test.N-refRows)
	for i := range rows {
		rows[i] = refRows + i
	}
	pool := test.Subset(rows)
	pool.Name = test.Name + fmt.Sprintf("[%d:]", refRows)
	return pool, nil
}

// heldOut draws perClass images of every class of set, uniformly without
// replacement among those that are not targets (compared by pixels, so a
// duplicate of a target is excluded too).
func heldOut(set, targets *images.Set, perClass int, rng *rand.Rand) (*images.Set, error) {
	seen := make(map[string]bool, targets.N)
	for i := range targets.N {
		seen[string(targets.Row(i))] = true
	}
	byClass := make([][]int, len(set.Classes))
	for i, c := range set.Labels[:set.N] {
		byClass[c] = append(byClass[c], i)
	}
	rows := make([]int, 0, perClass*len(set.Classes))
	for c, idx := range byClass {
		got := 0
		// Partial Fisher–Yates, skipping targets.
		for k := 0; k < len(idx) && got < perClass; k++ {
			j := k + rng.IntN(len(idx)-k)
			idx[k], idx[j] = idx[j], idx[k]
			if !seen[string(set.Row(idx[k]))] {
				rows = append(rows, idx[k])
				got++
			}
		}
		if got < perClass {
			return nil, fieldErr("target.holdout", "class %d (%s) has %d images besides the targets, fewer than %d", c, set.Classes[c], got, perClass)
		}
	}
	out := set.Subset(rows)
	out.Name = fmt.Sprintf("%s[held out %d/class]", set.Name, perClass)
	return out, nil
}
