package latent

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tinyTrainer returns a train function that counts its calls.
func tinyTrainer(t *testing.T, calls *int) func() (*Autoencoder, error) {
	return func() (*Autoencoder, error) {
		*calls++
		x := blobs(newRand(11), 64, 16)
		cfg := AEConfig{In: 16, Hidden: []int{8}, Latent: 2, Epochs: 2, Batch: 16, LR: 1e-3, Seed: 1, DecoderLipschitz: math.Inf(1)}
		return TrainAutoencoder(cfg, x, 64, nil)
	}
}

func sameWeights(a, b *Autoencoder) bool {
	return slices.Equal(a.enc.Params(), b.enc.Params()) && slices.Equal(a.dec.Params(), b.dec.Params())
}

func TestCacheHitAndRebuild(t *testing.T) {
	var warnings []error
	c := &Cache{Dir: filepath.Join(t.TempDir(), "sub"), Warn: func(err error) { warnings = append(warnings, err) }}
	var calls int
	train := tinyTrainer(t, &calls)
	key := Key("ae", "test")

	first, cached, err := c.LoadOrTrain(key, train)
	if err != nil || cached || calls != 1 {
		t.Fatalf("first call: cached = %v, err = %v, calls = %d; want a training", cached, err, calls)
	}
	second, cached, err := c.LoadOrTrain(key, train)
	if err != nil || !cached || calls != 1 {
		t.Fatalf("second call: cached = %v, err = %v, calls = %d; want a cache hit", cached, err, calls)
	}
	if !sameWeights(first, second) {
		t.Error("cached autoencoder differs from the trained one")
	}
	if len(warnings) != 0 {
		t.Errorf("warnings %v", warnings)
	}
	// No temporary files are left behind.
	if ents, _ := os.ReadDir(c.Dir); len(ents) != 1 || ents[0].Name() != key+".bin" {
		t.Errorf("cache folder holds %v, want only %s.bin", ents, key)
	}

	// A corrupted file is reported and rebuilt, and the rebuilt file is good.
	path := c.Path(key)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		name string
		b    []byte
	}{
		{"truncated", raw[:len(raw)/3]},
		{"flipped", flip(raw, len(raw)/2)},
		{"garbage", []byte("not a model")},
		{"empty", nil},
	} {
		t.Run(bad.name, func(t *testing.T) {
			warnings = nil
			if err := os.WriteFile(path, bad.b, 0o644); err != nil {
				t.Fatal(err)
			}
			n := calls
			got, cached, err := c.LoadOrTrain(key, train)
			if err != nil || cached || calls != n+1 {
				t.Fatalf("cached = %v, err = %v, trainings %d; want one rebuild", cached, err, calls-n)
			}
			if len(warnings) != 1 || !errors.Is(warnings[0], ErrFormat) || !strings.Contains(warnings[0].Error(), path) {
				t.Errorf("warnings %v, want one naming %s and wrapping ErrFormat", warnings, path)
			}
			if !sameWeights(got, first) {
				t.Error("rebuilt autoencoder differs (training is deterministic)")
			}
			if _, cached, _ := c.LoadOrTrain(key, train); !cached {
				t.Error("rebuilt file was not cached")
			}
		})
	}
}

func TestCacheDisabledAndUnwritable(t *testing.T) {
	var calls int
	train := tinyTrainer(t, &calls)
	for _, c := range []*Cache{nil, {}} {
		if _, cached, err := c.LoadOrTrain(Key("ae", "x"), train); err != nil || cached {
			t.Errorf("disabled cache: cached = %v, err = %v", cached, err)
		}
	}
	if calls != 2 {
		t.Errorf("disabled cache trained %d times, want 2", calls)
	}

	// A folder that cannot be created (a file is in the way): the model is
	// still returned, with a warning.
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o644)
	var warned error
	c := &Cache{Dir: filepath.Join(blocker, "cache"), Warn: func(err error) { warned = err }}
	ae, cached, err := c.LoadOrTrain(Key("ae", "y"), train)
	if err != nil || cached || ae == nil {
		t.Fatalf("unwritable cache: %v, %v, %v", ae, cached, err)
	}
	if warned == nil {
		t.Error("no warning for an unwritable cache")
	}

	// The training error is returned.
	boom := errors.New("boom")
	if _, _, err := (&Cache{Dir: dir}).LoadOrTrain(Key("ae", "z"), func() (*Autoencoder, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the training error", err)
	}
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv(EnvCache, "/some/where")
	if d, err := DefaultCacheDir(); err != nil || d != "/some/where" {
		t.Errorf("with %s set: %q, %v", EnvCache, d, err)
	}
	t.Setenv(EnvCache, "")
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	t.Setenv("HOME", "/home/u")
	want := filepath.Join("/xdg", "gpa-tui")
	if d, err := DefaultCacheDir(); err != nil || d != want {
		t.Errorf("DefaultCacheDir() = %q, %v; want %q", d, err, want)
	}
}

func TestKeys(t *testing.T) {
	k := Key("ae", "ab", "c")
	for _, other := range []string{Key("ae", "a", "bc"), Key("ae", "abc"), Key("classifier", "ab", "c"), Key("ae", "ab", "c", "")} {
		if other == k {
			t.Errorf("key collision: %s", k)
		}
	}
	if Key("ae", "ab", "c") != k || !strings.HasPrefix(k, "ae-") || len(k) != 3+32 {
		t.Errorf("Key = %q, want stable ae-<32 hex>", k)
	}

	x := []float32{0, 0.5, 1, 0.25}
	id := DataID("set", x, 2, 2)
	if !strings.HasPrefix(id, "set:2x2:") || DataID("set", x, 2, 2) != id {
		t.Errorf("DataID = %q", id)
	}
	y := slices.Clone(x)
	y[3] = math.Nextafter32(y[3], 1) // one ulp
	if DataID("set", y, 2, 2) == id || DataID("set", x, 1, 4) == id {
		t.Error("DataID ignores a pixel or the shape")
	}

	// Every training setting changes the autoencoder key.
	base := DefaultAEConfig(784, 16)
	ref := base.CacheKey(id)
	for name, edit := range map[string]func(*AEConfig){
		"hidden": func(c *AEConfig) { c.Hidden = []int{256, 64} },
		"latent": func(c *AEConfig) { c.Latent = 17 },
		"epochs": func(c *AEConfig) { c.Epochs++ },
		"batch":  func(c *AEConfig) { c.Batch++ },
		"lr":     func(c *AEConfig) { c.LR *= 1 + 1e-15 },
		"seed":   func(c *AEConfig) { c.Seed++ },
		"lip":    func(c *AEConfig) { c.DecoderLipschitz = 10 },
	} {
		c := base
		c.Hidden = slices.Clone(base.Hidden)
		edit(&c)
		if c.CacheKey(id) == ref {
			t.Errorf("changing %s keeps the cache key", name)
		}
	}
	if base.CacheKey(id+"x") == ref {
		t.Error("changing the data keeps the cache key")
	}

	for _, bad := range []string{"", "../x", "a/b", ".hidden"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Path(%q) did not panic", bad)
				}
			}()
			(&Cache{Dir: "d"}).Path(bad)
		}()
	}
}

// TestCacheKeyChecked: a cache file copied over another key's name (an
// autoencoder of latent dimension 2 over the key of one of dimension 3) is
// not used: it is rebuilt with a warning naming both keys.
func TestCacheKeyChecked(t *testing.T) {
	var warnings []error
	c := &Cache{Dir: t.TempDir(), Warn: func(err error) { warnings = append(warnings, err) }}
	var calls int
	a, b := Key("ae", "latent=2"), Key("ae", "latent=3")
	if _, _, err := c.LoadOrTrain(a, tinyTrainer(t, &calls)); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(c.Path(a))
	if err := os.WriteFile(c.Path(b), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, cached, err := c.LoadOrTrain(b, tinyTrainer(t, &calls)); err != nil || cached || calls != 2 {
		t.Fatalf("copied file: cached = %v, err = %v, trainings %d; want a rebuild", cached, err, calls)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0].Error(), a) || !strings.Contains(warnings[0].Error(), "copied") {
		t.Errorf("warnings %v, want one naming the key the file holds", warnings)
	}
}

// TestCacheFolderPrivate: the folder is created 0700; one owned by another
// user is not used (as root the test makes one; otherwise it skips).
func TestCacheFolderPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	c := &Cache{Dir: dir, Warn: func(error) {}}
	var calls int
	if _, _, err := c.LoadOrTrain(Key("ae", "p"), tinyTrainer(t, &calls)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("cache folder mode %v, %v; want 0700", fi.Mode().Perm(), err)
	}
	if os.Getuid() != 0 {
		t.Skip("needs root to make a folder owned by another user")
	}
	if err := os.Chown(dir, 4242, 4242); err != nil {
		t.Skip(err)
	}
	var warnings []error
	c.Warn = func(err error) { warnings = append(warnings, err) }
	if _, cached, err := c.LoadOrTrain(Key("ae", "p"), tinyTrainer(t, &calls)); err != nil || cached {
		t.Fatalf("foreign folder: cached = %v, err = %v; want a fresh training", cached, err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0].Error(), "belongs to user 4242") {
		t.Errorf("warnings %v", warnings)
	}
}
