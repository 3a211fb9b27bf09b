// Package images loads the image data sets of the paper's image experiments
// (MNIST, Fashion-MNIST, CIFAR-10; paper §6 and Appendix F.2), draws the
// pixel priors the particles start from, and measures image runs.
//
// Layout: every image set is flat, row-major and HWC (height, width,
// channel): row i of a set of N images with H·W·C = d pixels occupies
// pix[i*d : (i+1)*d], and pixel (y, x, c) of a row is at (y*W + x)*C + c.
// [Set] stores the raw bytes (0..255); [Set.GatherTo] and [Set.Float32]
// convert rows to float32 in [0,1], the paper's target scaling.
//
// Symbols follow core/doc.go: M particles Y (M×d), N targets X (N×d).
//
// Metrics:
//   - [FrechetDistance]: the Fréchet distance between Gaussian fits of two
//     feature sets, with real symmetric matrix square roots. Computed on a
//     small classifier's features it is NOT the Inception FID, and the
//     paper's Table 6 values use an elementwise-product formula that is not
//     comparable to it.
//   - [Memorization]: how many particles sit closer to a target than
//     targets sit to each other.
//   - [Accuracy]: share of particles a classifier assigns to their class.
package images
