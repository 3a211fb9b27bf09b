package latent

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/gpa-tui/gpa-tui/atomicfile"
)

// EnvCache names the environment variable that overrides the cache folder.
const EnvCache = "GPA_TUI_CACHE"

// aeTrainVersion is part of every autoencoder cache key: bump it when a
// change to the training code changes what a config trains into, so that
// old cache files are no longer used.
const aeTrainVersion = 1

// Cache is a folder of trained models (autoencoders, classifiers), one
// file per key, so that a second run starts at once. Files are written
// atomically (a temporary file renamed over the target), and a file that
// cannot be read back (truncated, corrupted, an old format) is reported
// through Warn and rebuilt, never fatal.
//
// Every file starts with the key it was stored under (cacheMagic, the key,
// a newline): a file copied or renamed over another key's name does not
// match and is rebuilt with a warning, so a model is never used for a
// configuration it was not trained for. The folder is created 0700 and
// refused if another user owns it (a shared /tmp-style cache could hand
// one user's planted model to another).
//
// A nil *Cache, or one with an empty Dir, caches nothing: LoadOrBuild then
// always builds.
type Cache struct {
	Dir string
	// Warn receives the problems that do not stop a run: a corrupted
	// cache file (rebuilt) or one that could not be written. If nil,
	// warnings go to os.Stderr; a TUI should set it.
	Warn func(error)
}

// DefaultCacheDir returns $GPA_TUI_CACHE if it is set and not empty, else
// the folder gpa-tui in os.UserCacheDir() (~/.cache/gpa-tui on Linux,
// honouring $XDG_CACHE_HOME).
func DefaultCacheDir() (string, error) {
	if d := os.Getenv(EnvCache); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("latent: no cache folder (set %s): %w", EnvCache, err)
	}
	return filepath.Join(d, "gpa-tui"), nil
}

// OpenCache returns a Cache in DefaultCacheDir. The folder is created by
// the first Store.
func OpenCache() (*Cache, error) {
	d, err := DefaultCacheDir()
	if err != nil {
		return nil, err
	}
	return &Cache{Dir: d}, nil
}

// Key returns a cache key "kind-<32 hex digits>": kind followed by the
// first 128 bits of the SHA-256 of the parts (each length-prefixed, so
// that ("ab", "c") and ("a", "bc") differ). kind must be a short name of
// lower-case letters, digits and '-', such as "ae" or "classifier".
func Key(kind string, parts ...string) string {
	if kind == "" || len(kind) > 32 || strings.Trim(kind, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		panic("latent: Key: kind must be 1–32 of [a-z0-9-]")
	}
	h := sha256.New()
	var n [8]byte
	for _, p := range append([]string{kind}, parts...) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	return kind + "-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// DataID identifies a training set for cache keys: its name (e.g.
// "mnist/train"), its shape and the first 128 bits of the SHA-256 of its
// float32 values (little-endian bits), e.g. "mnist/train:60000x784:3f…".
func DataID(name string, x []float32, rows, cols int) string {
	if rows < 0 || cols < 0 || len(x) != rows*cols {
		panic("latent: DataID: shape mismatch")
	}
	h := sha256.New()
	buf := make([]byte, 4*4096)
	for len(x) > 0 {
		k := min(len(x), 4096)
		for i, v := range x[:k] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		h.Write(buf[:4*k])
		x = x[k:]
	}
	return fmt.Sprintf("%s:%dx%d:%s", name, rows, cols, hex.EncodeToString(h.Sum(nil)[:16]))
}

// CacheKey returns the cache key of an autoencoder trained with c on the
// data identified by data (see DataID): it covers the architecture, every
// training setting, the seed and the training code's version.
func (c AEConfig) CacheKey(data string) string {
	return Key("ae",
		fmt.Sprintf("v%d", aeTrainVersion),
		fmt.Sprintf("in=%d hidden=%v latent=%d", c.In, c.Hidden, c.Latent),
		fmt.Sprintf("epochs=%d batch=%d lr=%v seed=%d decoder-lipschitz=%v", c.Epochs, c.Batch, c.LR, c.Seed, c.DecoderLipschitz),
		data)
}

// Path returns the file that holds key.
func (c *Cache) Path(key string) string {
	checkKey(key)
	return filepath.Join(c.Dir, key+".bin")
}

// cacheMagic starts every cache file, before the key.
const cacheMagic = "gpa-tui cache v2\n"

// checkKey panics unless key is a plain file name.
func checkKey(key string) {
	if key == "" || len(key) > 128 || strings.ContainsAny(key, `/\`) || key[0] == '.' {
		panic("latent: Cache: key must be a plain file name")
	}
}

// enabled reports whether c caches anything.
func (c *Cache) enabled() bool { return c != nil && c.Dir != "" }

// warn reports a non-fatal problem.
func (c *Cache) warn(err error) {
	if c.Warn != nil {
		c.Warn(err)
		return
	}
	fmt.Fprintf(os.Stderr, "gpa-tui: warning: %v\n", err)
}

// Store writes v to the file of key atomically (atomicfile: a temporary
// file in the same folder, synced, renamed over the target), so that
// readers see the old file or the new one, never a part. The file is the
// owner's only (0600), in a folder it creates 0700.
func (c *Cache) Store(key string, v io.WriterTo) error {
	if !c.enabled() {
		return nil
	}
	path := c.Path(key)
	if err := c.ensureDir(); err != nil {
		return err
	}
	err := atomicfile.Write(path, func(w io.Writer) error {
		if _, err := io.WriteString(w, cacheMagic+key+"\n"); err != nil {
			return err
		}
		_, err := v.WriteTo(w)
		return err
	}, atomicfile.Options{Perm: 0o600})
	if err != nil {
		return fmt.Errorf("latent: cache: writing %s: %w", path, err)
	}
	return nil
}

// LoadOrBuild returns the value cached under key, read with read, and
// true; or, if there is none, the value built by build, stored under key,
// and false. A cache file that read rejects is reported through c.Warn and
// replaced by a rebuilt one; a failure to store is reported the same way
// and does not fail the call. Only build's error is returned.
func LoadOrBuild[T io.WriterTo](c *Cache, key string, read func(io.Reader) (T, error), build func() (T, error)) (T, bool, error) {
	if !c.enabled() {
		v, err := build()
		return v, false, err
	}
	path := c.Path(key)
	if err := c.checkDir(); err != nil {
		c.warn(fmt.Errorf("%w; not using the cache", err))
		v, err := build()
		return v, false, err
	}
	if f, err := os.Open(path); err == nil {
		br := bufio.NewReader(f)
		rerr := readKey(br, key)
		var v T
		if rerr == nil {
			v, rerr = read(br)
		}
		f.Close()
		if rerr == nil {
			return v, true, nil
		}
		c.warn(fmt.Errorf("latent: cache file %s is unusable, rebuilding it: %w", path, rerr))
	} else if !errors.Is(err, fs.ErrNotExist) {
		c.warn(fmt.Errorf("latent: cache: %w; rebuilding", err))
	}
	v, err := build()
	if err != nil {
		return v, false, err
	}
	if err := c.Store(key, v); err != nil {
		c.warn(err)
	}
	return v, false, nil
}

// LoadOrTrain returns the autoencoder cached under key (see
// AEConfig.CacheKey) and true, or the one train returns, cached, and false.
// See LoadOrBuild.
func (c *Cache) LoadOrTrain(key string, train func() (*Autoencoder, error)) (*Autoencoder, bool, error) {
	return LoadOrBuild(c, key, ReadAutoencoder, train)
}

// readKey reads a cache file's header and checks that it was stored under
// key.
func readKey(r *bufio.Reader, key string) error {
	magic := make([]byte, len(cacheMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != cacheMagic {
		return fmt.Errorf("%w: not a gpa-tui cache file of this version", ErrFormat)
	}
	got, err := r.ReadString('\n')
	if err != nil || len(got) > 200 {
		return fmt.Errorf("%w: truncated cache header", ErrFormat)
	}
	if got = strings.TrimSuffix(got, "\n"); got != key {
		return fmt.Errorf("%w: it holds %s, not %s (a file copied over another key)", ErrFormat, got, key)
	}
	return nil
}

// ensureDir creates the cache folder, private to this user (0700), and
// checks an existing one with checkDir.
func (c *Cache) ensureDir() error {
	if err := os.MkdirAll(c.Dir, 0o700); err != nil {
		return fmt.Errorf("latent: cache: %w", err)
	}
	return c.checkDir()
}

// checkDir refuses a cache folder that another user owns, or that is a
// symbolic link or not a folder; a missing folder is fine.
func (c *Cache) checkDir() error {
	fi, err := os.Lstat(c.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("latent: cache: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("latent: cache folder %s is not a folder (a symbolic link or a file)", c.Dir)
	}
	if uid, ok := fileOwner(fi); ok && uid != os.Getuid() {
		return fmt.Errorf("latent: cache folder %s belongs to user %d, not to you (%d): set %s to a folder of your own", c.Dir, uid, os.Getuid(), EnvCache)
	}
	return nil
}
