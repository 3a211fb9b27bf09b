// Package genes holds the building blocks of gene-expression batch merging
// (paper Section 6.2 and Appendix F.3): loaders for expression matrices,
// sample sheets and GEO series-matrix files; the bladder-cancer data set
// shipped with the product (Bladder); pooled or per-set standardization and
// a PCA latent space (Prepare, using latent.PCA as a linear autoencoder);
// the ComBat and per-batch mean-centering baselines; metrics of batch
// mixing (MMD², silhouettes, kNN iLISI, transport distance); a confounding
// check; and writers for the merged matrix and the comparison table.
//
// The GPA transport itself runs in the engine (core.Sim): Prepare returns
// the latent source particles Y (M×d′) and targets X (N×d′) as flat
// row-major float32, and Prepared.Decode, Prepared.Merged and
// Prepared.Compare take the transported source latents back to gene space.
//
// Layout: matrices are samples × genes (one sample per row), flat row-major
// float64 with explicit dimensions; latent coordinates are float32.
package genes
