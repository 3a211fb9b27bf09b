// Package latent holds the encoders E: ℝ^d → ℝ^{d′} and decoders
// D: ℝ^{d′} → ℝ^d of the latent particle algorithm (paper §5,
// Algorithm 2): targets and prior samples are encoded, GPA runs in ℝ^{d′},
// and the particles are decoded for display and metrics. Theorem 5.1
// (eq. (14)) bounds the real-space divergence by the latent one at a
// Lipschitz constant scaled by a_D, the decoder's Lipschitz constant,
// which every decoder here reports as Lipschitz().
//
//   - [PCA]: principal component analysis as a linear autoencoder
//     (Appendix F.3), a_D = 1.
//   - [Autoencoder]: the authors' MLP autoencoder (d → 256 → 128 → d′ ReLU
//     encoder, mirrored decoder with a sigmoid output, binary
//     cross-entropy), built on lipnet nets and trained with Adam. Its
//     decoder can be spectrally normalized so that a_D stays below a
//     chosen bound (Remark 5.2).
//
// Both implement [Codec]: EncodeTo(dst, x, rows) and DecodeTo(dst, z,
// rows) on flat row-major float32 matrices, Dims() (d, d′) and
// Lipschitz() (a bound of a_D).
//
// Training an autoencoder takes minutes, so trained models are kept in a
// [Cache]: files in $GPA_TUI_CACHE or os.UserCacheDir()/gpa-tui, keyed by a
// hash of the architecture, the training settings, the seed and the data
// ([AEConfig.CacheKey], [DataID]). [LoadOrBuild] serves any model with a
// binary WriteTo/Read pair (experiments/images uses it for its classifier).
package latent
