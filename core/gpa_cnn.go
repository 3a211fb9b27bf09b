package core

// convInShape returns lipnet.Config.InShape for a discriminator with the
// convolution layers conv (paper Table 4a; DiscriminatorConfig.Conv): the
// (height, width, channels) of the images of a pixel-space image run, the
// layout of the particle rows (channels last). Convolutions need pixel
// images, so other problems and latent runs (whose flow runs on codes) are
// a FieldError on discriminator.conv. Without convolutions it returns the
// zero shape, which lipnet ignores.
func convInShape(p *Problem, conv []int) ([3]int, error) {
	if len(conv) == 0 {
		return [3]int{}, nil
	}
	im := p.Images
	if im == nil || p.Decoder != nil {
		return [3]int{}, fieldErr("discriminator.conv",
			"convolutions need images in pixel space (an image target without [latent])")
	}
	if im.H*im.W*im.C != p.D {
		return [3]int{}, fieldErr("discriminator.conv", "images of %d×%d×%d do not match d = %d", im.H, im.W, im.C, p.D)
	}
	return [3]int{im.H, im.W, im.C}, nil
}
