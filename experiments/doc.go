// Package experiments builds the problems that the engine (package core)
// runs on, from run descriptions (presets): synthetic sample sets and
// sample files, image data sets in pixel space or in an autoencoder's or
// PCA's latent space (paper Section 5), and gene-expression batches merged
// in a PCA space (Section 6.2). It adds what is specific to each kind of
// data: image classifier metrics, the gene comparison table, the files a
// gene run writes, a 2-D view for d > 2.
//
// Config embeds core.Config (the method and its settings) with the data
// sections [target], [prior], [genes] and [latent]; together they are the
// preset format of package presets. Build prepares the problem and returns
// a core.Sim; Restore rebuilds one from a snapshot's core.State.
//
// The leaf libraries genes (expression matrices, GEO files, ComBat, batch
// metrics) and images (MNIST, Fashion-MNIST, CIFAR-10, classifier, Fréchet
// distance, memorization) do the work; this package wires them to core.
package experiments
