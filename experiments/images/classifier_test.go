package images

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gpa-tui/gpa-tui/latent"
)

// refCE is −log softmax(s)_c in float64, with the maximum subtracted.
func refCE(s []float64, c int) float64 {
	m := slices.Max(s)
	var z float64
	for _, v := range s {
		z += math.Exp(v - m)
	}
	return math.Log(z) - (s[c] - m)
}

func TestSoftmaxCEHead(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name       string
		rows, k    int
		spread     float64
		scale      float32
		checkNaive bool
	}{
		{"small", 3, 4, 2, 1, true},
		{"mean", 16, 10, 3, 1.0 / 16, true},
		{"large-logits", 4, 10, 60, 1, false}, // e^{60} overflows float32 without the shift
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := make([]float32, tt.rows*tt.k)
			for i := range s {
				s[i] = float32(tt.spread * rng.NormFloat64())
			}
			y := make([]int, tt.rows)
			for i := range y {
				y[i] = rng.IntN(tt.k)
			}
			ds := make([]float32, len(s))
			got := softmaxCEHead(ds, s, y, tt.k, tt.scale)
			s64 := make([]float64, len(s))
			for i, v := range s {
				s64[i] = float64(v)
			}
			loss := func() float64 {
				var l float64
				for i, c := range y {
					l += refCE(s64[i*tt.k:(i+1)*tt.k], c)
				}
				return l * float64(tt.scale)
			}
			// The head subtracts the maximum in float32 (exact for these
			// magnitudes up to 1 ulp of s): 1e-6 relative.
			if want := loss(); !close64(got, want, 1e-9, 1e-6) {
				t.Errorf("ℓ = %.12g, want %.12g", got, want)
			}
			if tt.checkNaive {
				// The definition −log(e^{s_c}/Σe^{s_j}) where it cannot overflow.
				var naive float64
				for i, c := range y {
					var z float64
					for _, v := range s64[i*tt.k : (i+1)*tt.k] {
						z += math.Exp(v)
					}
					naive -= math.Log(math.Exp(s64[i*tt.k+c]) / z)
				}
				if !close64(got, naive*float64(tt.scale), 1e-9, 1e-6) {
					t.Errorf("ℓ = %.12g, definition gives %.12g", got, naive*float64(tt.scale))
				}
			}
			const h = 1e-6 // float64 central differences: O(h²) + O(1e-16/h)
			for i := range s64 {
				v := s64[i]
				s64[i] = v + h
				lp := loss()
				s64[i] = v - h
				lm := loss()
				s64[i] = v
				fd := (lp - lm) / (2 * h)
				// ds is float32 (1e-6 relative) of O(1) values.
				if !close64(float64(ds[i]), fd, 1e-7, 1e-5) {
					t.Errorf("∂ℓ/∂s[%d] = %g, want %g", i, ds[i], fd)
				}
			}
		})
	}
}

// TestClassifierGradients checks the training gradient of a tiny
// classifier — trunk, feature ReLU, head and softmax cross-entropy —
// against float64 central differences.
func TestClassifierGradients(t *testing.T) {
	const rows = 6
	cfg, err := ClassifierConfig{In: 7, Hidden: []int{9, 5}, Classes: 3, Epochs: 1, Batch: rows, LR: 1e-3, Seed: 4}.check()
	if err != nil {
		t.Fatal(err)
	}
	cl, err := newClassifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	trunkP, headP := cl.trunk.Params(), cl.head.Params()
	for _, p := range [][]float32{trunkP, headP} {
		for i := range p {
			p[i] += 0.1 * float32(rng.NormFloat64()) // non-zero biases
		}
	}
	x := make([]float32, rows*cfg.In)
	for i := range x {
		x[i] = rng.Float32()
	}
	y := []int{0, 1, 2, 2, 1, 0}
	tr := newClassifierTrainer(cl, rows)
	got := tr.lossGrad(x, y, rows)

	p64 := [][]float64{make([]float64, len(trunkP)), make([]float64, len(headP))}
	for k, p := range [][]float32{trunkP, headP} {
		for i, v := range p {
			p64[k][i] = float64(v)
		}
	}
	loss := func() float64 {
		var l float64
		for i := range rows {
			xi := make([]float64, cfg.In)
			for j := range xi {
				xi[j] = float64(x[i*cfg.In+j])
			}
			f := mlp64(p64[0], []int{7, 9, 5}, xi, true)
			s := mlp64(p64[1], []int{5, 3}, f, false)
			l += refCE(s, y[i])
		}
		return l / rows
	}
	// float32 forward pass through three layers: 1e-5 relative.
	if want := loss(); !close64(got, want, 1e-7, 1e-5) {
		t.Fatalf("loss = %.9g, want %.9g", got, want)
	}
	const h = 1e-6
	for k, grads := range [][]float32{cl.trunk.Grads(), cl.head.Grads()} {
		for i := range p64[k] {
			v := p64[k][i]
			p64[k][i] = v + h
			lp := loss()
			p64[k][i] = v - h
			lm := loss()
			p64[k][i] = v
			fd := (lp - lm) / (2 * h)
			// float32 back-propagation: 1e-3 relative, 1e-6 absolute.
			if !close64(float64(grads[i]), fd, 1e-6, 1e-3) {
				t.Errorf("net %d ∂ℓ/∂θ[%d] = %g, want %g", k, i, grads[i], fd)
			}
		}
	}
}

// mlp64 evaluates a lipnet dense ReLU net in float64 from its parameters
// p (the layout of lipnet.Net.Params: W row-major in×out, then b, per
// layer); relu applies a ReLU to the output too (the classifier's features).
func mlp64(p []float64, dims []int, x []float64, relu bool) []float64 {
	h := x
	off := 0
	for l := range len(dims) - 1 {
		in, out := dims[l], dims[l+1]
		z := make([]float64, out)
		for j := range out {
			s := p[off+in*out+j]
			for k := range in {
				s += h[k] * p[off+k*out+j]
			}
			if l < len(dims)-2 || relu {
				s = max(s, 0)
			}
			z[j] = s
		}
		off += (in + 1) * out
		h = z
	}
	return h
}

func TestClassifierConfigErrors(t *testing.T) {
	good := ClassifierConfig{In: 4, Hidden: []int{3}, Classes: 2, Epochs: 1, Batch: 2, LR: 1e-3}
	tests := []struct {
		name string
		edit func(*ClassifierConfig)
	}{
		{"in", func(c *ClassifierConfig) { c.In = 0 }},
		{"no-hidden", func(c *ClassifierConfig) { c.Hidden = nil }},
		{"too-deep", func(c *ClassifierConfig) { c.Hidden = make([]int, 9) }},
		{"zero-width", func(c *ClassifierConfig) { c.Hidden = []int{0} }},
		{"classes", func(c *ClassifierConfig) { c.Classes = 1 }},
		{"epochs", func(c *ClassifierConfig) { c.Epochs = -1 }},
		{"batch", func(c *ClassifierConfig) { c.Batch = 0 }},
		{"lr-nan", func(c *ClassifierConfig) { c.LR = math.NaN() }},
		{"lr-inf", func(c *ClassifierConfig) { c.LR = math.Inf(1) }},
	}
	x, y := make([]float32, 2*4), []int{0, 1}
	if _, err := TrainClassifier(good, x, y, 2, nil); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			c.Hidden = slices.Clone(good.Hidden)
			tt.edit(&c)
			if _, err := TrainClassifier(c, x, y, 2, nil); !errors.Is(err, ErrClassifierConfig) {
				t.Errorf("err = %v, want ErrClassifierConfig", err)
			}
		})
	}
}

// synthClasses returns rows images of d pixels in three classes: class c
// lights pixels [c·d/3, (c+1)·d/3) more than the others, plus noise.
func synthClasses(rng *rand.Rand, rows, d int) ([]float32, []int) {
	x, y := make([]float32, rows*d), make([]int, rows)
	for i := range rows {
		c := i % 3
		y[i] = c
		for j := range d {
			v := 0.3 * rng.Float32()
			if j*3/d == c {
				v += 0.5
			}
			x[i*d+j] = v
		}
	}
	return x, y
}

// trainSynth trains a small classifier on synthClasses.
func trainSynth(t testing.TB, seed uint64) (*Classifier, []float32, []int) {
	const rows, d = 300, 12
	x, y := synthClasses(rand.New(rand.NewPCG(seed, 7)), rows, d)
	cfg := ClassifierConfig{In: d, Hidden: []int{16, 8}, Classes: 3, Epochs: 10, Batch: 32, LR: 3e-3, Seed: seed}
	var seen int
	cl, err := TrainClassifier(cfg, x, y, rows, func(e, n int, loss float64) {
		seen++
		if e != seen || n != cfg.Epochs || !(loss > 0) {
			t.Errorf("progress(%d, %d, %g)", e, n, loss)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != cfg.Epochs {
		t.Errorf("progress called %d times, want %d", seen, cfg.Epochs)
	}
	return cl, x, y
}

// TestClassifierShapes: Predict and FeaturesTo agree with each other (the
// head applied to the features gives the predicted label), features are
// non-negative, and an easy synthetic problem is learned.
func TestClassifierShapes(t *testing.T) {
	cl, x, y := trainSynth(t, 1)
	rows := len(y)
	if cl.FeatureDim() != 8 || cl.Classes() != 3 || cl.In() != 12 {
		t.Fatalf("FeatureDim, Classes, In = %d, %d, %d; want 8, 3, 12", cl.FeatureDim(), cl.Classes(), cl.In())
	}
	pred := make([]int, rows)
	cl.Predict(pred, x, rows)
	// Three well separated classes: measured accuracy 1.
	if acc := Accuracy(pred, y); acc < 0.95 {
		t.Errorf("training accuracy %.3f, want ≥ 0.95", acc)
	}
	f := make([]float32, rows*cl.FeatureDim())
	cl.FeaturesTo(f, x, rows)
	p := make([]float64, len(cl.head.Params()))
	for i, v := range cl.head.Params() {
		p[i] = float64(v)
	}
	for i := range rows {
		fi := make([]float64, cl.FeatureDim())
		for j := range fi {
			if f[i*8+j] < 0 {
				t.Fatalf("feature [%d][%d] = %g < 0", i, j, f[i*8+j])
			}
			fi[j] = float64(f[i*8+j])
		}
		s := mlp64(p, []int{8, 3}, fi, false)
		if best := slices.Index(s, slices.Max(s)); best != pred[i] {
			t.Errorf("row %d: head(features) picks %d, Predict %d", i, best, pred[i])
		}
	}
	// Chunking: a call on more rows than one chunk matches row by row.
	big := slices.Repeat(x, 2)
	fb := make([]float32, 2*len(f))
	cl.FeaturesTo(fb, big, 2*rows)
	if !slices.Equal(fb[:len(f)], f) || !slices.Equal(fb[len(f):], f) {
		t.Error("FeaturesTo differs across chunks")
	}
}

// TestClassifierMNIST trains the default architecture on 10,000 MNIST
// training digits for 5 epochs (about 1 s) and measures the accuracy on
// the 10,000 test digits.
func TestClassifierMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on 10,000 MNIST digits")
	}
	train, err := LoadMNIST("", Train)
	if err != nil {
		t.Fatal(err)
	}
	test, err := LoadMNIST("", Test)
	if err != nil {
		t.Fatal(err)
	}
	const rows = 10000
	cfg := DefaultClassifierConfig(784, 10)
	cfg.Epochs = 5
	cl, err := TrainClassifier(cfg, train.Float32()[:rows*784], train.Labels[:rows], rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	pred := make([]int, test.N)
	xt := test.Float32()
	cl.Predict(pred, xt, test.N)
	acc := Accuracy(pred, test.Labels)
	t.Logf("MNIST test accuracy %.4f after 5 epochs on 10,000 digits", acc)
	// Measured 0.9478 (seed 1).
	if acc <= 0.9 {
		t.Errorf("test accuracy %.4f, want > 0.9", acc)
	}
	f := make([]float32, 100*cl.FeatureDim())
	cl.FeaturesTo(f, xt[:100*784], 100)
	if cl.FeatureDim() != 128 || slices.Max(f) <= 0 {
		t.Errorf("FeatureDim %d, max feature %g; want 128 and some active features", cl.FeatureDim(), slices.Max(f))
	}
}

func TestClassifierDeterministic(t *testing.T) {
	a, _, _ := trainSynth(t, 2)
	b, _, _ := trainSynth(t, 2)
	c, _, _ := trainSynth(t, 3)
	if !slices.Equal(a.trunk.Params(), b.trunk.Params()) || !slices.Equal(a.head.Params(), b.head.Params()) {
		t.Error("same seed gave different weights")
	}
	if slices.Equal(a.trunk.Params(), c.trunk.Params()) {
		t.Error("different seeds gave the same weights")
	}
}

func TestClassifierSaveLoad(t *testing.T) {
	cl, x, _ := trainSynth(t, 4)
	var buf bytes.Buffer
	n, err := cl.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d bytes", n, err, buf.Len())
	}
	raw := slices.Clone(buf.Bytes())
	got, err := ReadClassifier(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got.Config()) != fmt.Sprint(cl.Config()) || got.Loss() != cl.Loss() {
		t.Errorf("config %+v loss %v, want %+v %v", got.Config(), got.Loss(), cl.Config(), cl.Loss())
	}
	if !slices.Equal(got.trunk.Params(), cl.trunk.Params()) || !slices.Equal(got.head.Params(), cl.head.Params()) {
		t.Error("parameters differ after the round trip")
	}
	rows := len(x) / cl.In()
	f1, f2 := make([]float32, rows*cl.FeatureDim()), make([]float32, rows*cl.FeatureDim())
	cl.FeaturesTo(f1, x, rows)
	got.FeaturesTo(f2, x, rows)
	if !slices.Equal(f1, f2) {
		t.Error("features differ after the round trip")
	}
	// The reader stops at the end of the model.
	r := bytes.NewReader(append(slices.Clone(raw), "tail"...))
	if _, err := ReadClassifier(r); err != nil || r.Len() != 4 {
		t.Errorf("with trailing data: err %v, %d bytes left, want nil, 4", err, r.Len())
	}
	huge := slices.Clone(raw)
	copy(huge[8:12], []byte{0xff, 0xff, 0xff, 0x7f}) // In = 2³¹−1
	for _, bad := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"magic", append([]byte("GPA-XXX"), raw[7:]...)},
		{"truncated-header", raw[:30]},
		{"truncated-params", raw[:len(raw)/2]},
		{"no-checksum", raw[:len(raw)-4]},
		{"flipped-weight", flipByte(raw, len(raw)-50)},
		{"flipped-loss", flipByte(raw, 80)},
		{"huge-in", huge},
	} {
		if _, err := ReadClassifier(bytes.NewReader(bad.b)); !errors.Is(err, ErrClassifierFormat) {
			t.Errorf("%s: err = %v, want ErrClassifierFormat", bad.name, err)
		}
	}
}

// flipByte returns a copy of b with byte i inverted.
func flipByte(b []byte, i int) []byte {
	c := slices.Clone(b)
	c[i] ^= 0xff
	return c
}

func TestClassifierCache(t *testing.T) {
	var warnings []error
	c := &latent.Cache{Dir: t.TempDir(), Warn: func(err error) { warnings = append(warnings, err) }}
	var calls int
	train := func() (*Classifier, error) {
		calls++
		cl, _, _ := trainSynth(t, 5)
		return cl, nil
	}
	x, y := synthClasses(rand.New(rand.NewPCG(5, 7)), 300, 12)
	key := ClassifierConfig{In: 12, Hidden: []int{16, 8}, Classes: 3, Epochs: 10, Batch: 32, LR: 3e-3, Seed: 5}.
		CacheKey(latent.DataID(fmt.Sprint("synth", y), x, 300, 12))
	first, cached, err := LoadOrTrainClassifier(c, key, train)
	if err != nil || cached || calls != 1 {
		t.Fatalf("first: cached %v err %v calls %d", cached, err, calls)
	}
	second, cached, err := LoadOrTrainClassifier(c, key, train)
	if err != nil || !cached || calls != 1 {
		t.Fatalf("second: cached %v err %v calls %d; want a hit", cached, err, calls)
	}
	if !slices.Equal(first.trunk.Params(), second.trunk.Params()) {
		t.Error("cached classifier differs")
	}
	// Keep the cache header (the key), break the classifier itself.
	raw, _ := os.ReadFile(c.Path(key))
	header := raw[:bytes.IndexByte(raw[bytes.IndexByte(raw, '\n')+1:], '\n')+bytes.IndexByte(raw, '\n')+2]
	if err := os.WriteFile(c.Path(key), append(header, "GPA-CLF\x01 broken"...), 0o644); err != nil {
		t.Fatal(err)
	}
	third, cached, err := LoadOrTrainClassifier(c, key, train)
	if err != nil || cached || calls != 2 {
		t.Fatalf("corrupted: cached %v err %v calls %d; want a rebuild", cached, err, calls)
	}
	if len(warnings) != 1 || !errors.Is(warnings[0], ErrClassifierFormat) {
		t.Errorf("warnings %v, want one wrapping ErrClassifierFormat", warnings)
	}
	if !slices.Equal(first.head.Params(), third.head.Params()) {
		t.Error("rebuilt classifier differs")
	}
	if ents, _ := os.ReadDir(c.Dir); len(ents) != 1 || filepath.Ext(ents[0].Name()) != ".bin" {
		t.Errorf("cache folder holds %v, want one .bin file", ents)
	}
}

func TestClassifierMisuse(t *testing.T) {
	cl, _, _ := trainSynth(t, 6)
	cfg := cl.Config()
	for _, tt := range []struct {
		name string
		f    func()
	}{
		{"Predict", func() { cl.Predict(make([]int, 2), make([]float32, 12), 2) }},
		{"FeaturesTo", func() { cl.FeaturesTo(make([]float32, 7), make([]float32, 12), 1) }},
		{"Train-labels", func() { TrainClassifier(cfg, make([]float32, 12), []int{3}, 1, nil) }},
		{"Train-shape", func() { TrainClassifier(cfg, make([]float32, 12), []int{0, 1}, 2, nil) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", tt.name)
				}
			}()
			tt.f()
		})
	}
}
