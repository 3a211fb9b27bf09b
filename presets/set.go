package presets

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// datasetKeys are the keys allowed in [target] and [prior].
var datasetKeys = []string{"kind", "n", "dim", "mean", "std", "centers", "weights", "nu", "low", "high", "path", "per_class", "split"}

// validSetKey reports whether key is part of the preset format.
func validSetKey(key string) bool {
	sec, name, ok := strings.Cut(key, ".")
	if !ok {
		return slices.Contains([]string{"name", "description", "seed"}, key)
	}
	if sec == "target" || sec == "prior" {
		return slices.Contains(datasetKeys, name)
	}
	return slices.Contains(knownKeys, key)
}

// applySets returns src with each "section.key=value" override applied. A
// value is read as a TOML value (numbers, booleans, lists, quoted strings);
// anything else is taken as a bare string, so `divergence.f=alpha:2` works.
func applySets(src []byte, label string, sets []string) ([]byte, error) {
	doc := map[string]any{}
	if _, err := toml.Decode(string(src), &doc); err != nil {
		return nil, fmt.Errorf("presets: %s: %w", label, err)
	}
	for _, s := range sets {
		key, raw, ok := strings.Cut(s, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fmt.Errorf("presets: --set %q: want section.key=value", s)
		}
		if !validSetKey(key) {
			return nil, fmt.Errorf("presets: --set %s: unknown key%s", key, suggest(key))
		}
		var v struct{ V any }
		if _, err := toml.Decode("V = "+raw, &v); err != nil {
			v.V = strings.TrimSpace(raw)
		}
		m := doc
		parts := strings.Split(key, ".")
		for _, p := range parts[:len(parts)-1] {
			sub, ok := m[p].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[p] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = v.V
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(doc); err != nil {
		return nil, fmt.Errorf("presets: %s: %w", label, err)
	}
	return b.Bytes(), nil
}
