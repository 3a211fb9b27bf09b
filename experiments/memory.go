package experiments

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// EnvMemLimit overrides the memory budget of a run: a number of bytes with
// an optional K, M, G or T suffix (powers of 1024), e.g. "64G".
const EnvMemLimit = "GPA_TUI_MEM_LIMIT"

// MemoryTerm is one part of a run's memory estimate.
type MemoryTerm struct {
	Name  string
	Bytes float64
}

// MemoryEstimate is what a run will allocate, estimated from its
// description before anything is allocated: an upper-bound-minded
// estimate (every buffer the engine keeps, the optimiser state, the
// training sets of latent coders and classifiers), not a measurement.
type MemoryEstimate struct {
	Terms []MemoryTerm // largest first
	Total float64
}

// Biggest is the largest term.
func (e MemoryEstimate) Biggest() MemoryTerm {
	if len(e.Terms) == 0 {
		return MemoryTerm{}
	}
	return e.Terms[0]
}

// Bytes of the engine's buffers, per value (float32 = 4 bytes) and the
// number of copies the GPA step keeps (core/gpa.go): particles Y, Y₀, the
// saved Y, ∇φ(Y), the Heun predictor and velocity, their rows of the
// discriminator's batch and input gradient; targets X and their rows of
// the batch and input gradient; parameters, gradients, two Adam moments,
// three saved copies and a transpose per weight.
const (
	f32            = 4
	particleCopies = 8
	targetCopies   = 3
	paramCopies    = 9
	activCopies    = 3 // pre-activation, activation, back-propagated gradient
)

// EstimateMemory estimates the memory of the run cfg describes. cfg must
// be valid. Sample files and gene matrices are sized from their files.
func EstimateMemory(cfg Config) MemoryEstimate {
	var terms []MemoryTerm
	add := func(name string, b float64) {
		if b > 0 {
			terms = append(terms, MemoryTerm{name, b})
		}
	}
	n, m, d := datasetRows(&cfg.Target), datasetRows(&cfg.Prior), float64(cfg.Target.dim())
	if d == 0 {
		d = float64(cfg.Prior.dim())
	}
	if isImageKind(cfg.Target.Kind) {
		pixels, classes := imagePixels(cfg.Target.Kind)
		n, d = float64(cfg.Target.PerClass*classes), float64(pixels)
		// The training split, as bytes and as float32, for the latent
		// coder and the classifier of the image metrics.
		if cfg.Latent != nil || cfg.Flow.MetricsEvery > 0 {
			add("image training set", 60000*float64(pixels)*(1+f32))
		}
		add("target images", n*d*f32)
	}
	if cfg.Target.Kind == "file" {
		// A text or .npy file holds at least 2 bytes per float32 value.
		if b := fileBytes(cfg.Target.Path); b > 0 {
			add("target file", 2*b)
			if d == 0 {
				d = 1
			}
			n = max(n, 2*b/f32/d)
		}
	}
	if g := cfg.Genes; g != nil {
		b := 0.0
		for _, f := range append([]string{g.Data, g.Sheet}, g.GEO...) {
			b += fileBytes(f)
		}
		if g.Data == "bladderbatch" {
			b += 57 * 2000 * 8
		}
		// Parsed float64 values (≤ 8 per 2 bytes of text), standardized and
		// projected copies, ComBat's work.
		add("gene expression data", 6*4*b)
		n, m, d = 1000, 1000, float64(g.Dim) // at most the samples of the file
	}
	if cfg.Latent != nil {
		d = float64(cfg.Latent.Dim)
	}
	add("particles", m*d*f32*particleCopies)
	add("targets", n*d*f32*targetCopies)
	params, width := netSize(&cfg, d)
	add("discriminator parameters and optimiser", params*f32*paramCopies)
	add("discriminator activations", (m+n)*width*f32*activCopies)
	// The MMD² bandwidth: the median of ≤ C(1000, 2) distances (core.MMD).
	add("metrics", min(n, 1000)*min(n, 1000)/2*8)
	slices.SortFunc(terms, func(a, b MemoryTerm) int { return cmp.Compare(b.Bytes, a.Bytes) })
	e := MemoryEstimate{Terms: terms}
	for _, t := range terms {
		e.Total += t.Bytes
	}
	return e
}

// datasetRows is the number of samples a data set section asks for.
func datasetRows(ds *Dataset) float64 {
	if ds.Kind == "file" && ds.N == 0 {
		return 0 // all rows: sized from the file
	}
	return float64(ds.N)
}

// imagePixels is the image size and class count of an image data set.
func imagePixels(kind string) (pixels, classes int) {
	if kind == "cifar10" {
		return 32 * 32 * 3, 10 // CIFAR-10: 32×32 RGB
	}
	return 28 * 28, 10 // MNIST, Fashion-MNIST
}

// netSize is the parameter count of the discriminator and the sum of its
// layer widths (per row), for inputs of dimension d.
func netSize(cfg *Config, d float64) (params, width float64) {
	disc := &cfg.Discriminator
	in := d
	if len(disc.Conv) > 0 && isImageKind(cfg.Target.Kind) && cfg.Latent == nil {
		// 5×5 stride-2 SAME convolutions (paper Table 4a): the image side
		// halves at every layer.
		pixels, _ := imagePixels(cfg.Target.Kind)
		ch := 1.0
		if cfg.Target.Kind == "cifar10" {
			ch = 3
		}
		area := float64(pixels) / ch
		for _, c := range disc.Conv {
			params += 25 * ch * float64(c)
			area /= 4
			ch = float64(c)
			width += area * ch
		}
		in = area * ch
	}
	for _, h := range disc.Hidden {
		params += in*float64(h) + float64(h)
		width += float64(h)
		in = float64(h)
	}
	heads := 10.0 // at most the classes of a conditional run
	if !disc.Conditional {
		heads = 1
	}
	params += in*heads + heads
	return params, width + d
}

// fileBytes is the size of a regular file, 0 if it cannot be read.
func fileBytes(path string) float64 {
	if path == "" || path == "bladderbatch" {
		return 0
	}
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return 0
	}
	return float64(fi.Size())
}

// MemoryBudget is the memory a run may use and where the figure comes
// from: $GPA_TUI_MEM_LIMIT, else the Slurm job's memory
// ($SLURM_MEM_PER_NODE, in MB), else the cgroup's limit
// (/sys/fs/cgroup/memory.max), else 80 % of the machine's memory
// (/proc/meminfo); 0 when none is known (no check).
func MemoryBudget() (bytes float64, source string, err error) {
	if v := os.Getenv(EnvMemLimit); v != "" {
		b, err := parseBytes(v)
		if err != nil {
			return 0, "", fmt.Errorf("%s=%q: %w", EnvMemLimit, v, err)
		}
		return b, EnvMemLimit, nil
	}
	if v := os.Getenv("SLURM_MEM_PER_NODE"); v != "" {
		if mb, err := strconv.ParseFloat(v, 64); err == nil && mb > 0 {
			return mb * (1 << 20), "the Slurm job's memory (SLURM_MEM_PER_NODE)", nil
		}
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if v, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64); err == nil && v > 0 {
			return v, "the cgroup's memory.max", nil
		}
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if kb, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")), 64)
				if err == nil && v > 0 {
					return 0.8 * v * 1024, "80% of the machine's memory", nil
				}
			}
		}
	}
	return 0, "", nil
}

// parseBytes reads "123", "64G", "512M", "1.5T".
func parseBytes(s string) (float64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	mult := 1.0
	for i, u := range []string{"K", "M", "G", "T"} {
		if t, ok := strings.CutSuffix(strings.TrimSuffix(s, "B"), u); ok {
			s, mult = t, float64(int64(1)<<(10*(i+1)))
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) {
		return 0, fmt.Errorf("want a size such as 64G, 512M or a number of bytes")
	}
	return v * mult, nil
}

// CheckMemory refuses a run whose memory estimate exceeds the budget, with
// the estimate, its biggest term and how to raise the budget.
func CheckMemory(cfg Config) error {
	budget, source, err := MemoryBudget()
	if err != nil || budget == 0 {
		return err
	}
	e := EstimateMemory(cfg)
	if e.Total <= budget {
		return nil
	}
	big := e.Biggest()
	return fmt.Errorf("the run needs about %s of memory (the largest part: %s, %s), more than the %s budget (%s); lower the sizes, or raise the budget with %s=SIZE",
		fmtBytes(e.Total), big.Name, fmtBytes(big.Bytes), fmtBytes(budget), source, EnvMemLimit)
}

// fmtBytes writes a size in binary units: "3.2 GiB".
func fmtBytes(b float64) string {
	for i, u := range []string{"TiB", "GiB", "MiB", "KiB"} {
		if s := float64(int64(1) << (10 * (4 - i))); b >= s {
			return fmt.Sprintf("%.3g %s", b/s, u)
		}
	}
	return fmt.Sprintf("%.0f B", b)
}
