package core

import (
	"fmt"

	"github.com/gpa-tui/gpa-tui/core/images"
)

// fitAutoencoder trains (or loads from the cache) the MLP autoencoder of a
// latent run.
func fitAutoencoder(cfg Config, train *images.Set) (Coder, error) {
	return nil, fmt.Errorf("autoencoder latent spaces are not built yet")
}
