package npy

import (
	"errors"
	"fmt"
	"strconv"
)

// parseHeader parses the Python dict literal of a .npy header, e.g.
//
//	{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }
//
// It accepts exactly the grammar numpy writes (keys in any order, single or
// double quotes, optional trailing commas, Python 2 "L" suffixes on shape
// integers) and requires the three keys once each.
func parseHeader(h string) (descr string, fortran bool, shape []int, err error) {
	p := &parser{s: h}
	seen := map[string]bool{}
	if !p.eat('{') {
		return "", false, nil, errors.New("not a dict literal")
	}
	for !p.eat('}') {
		key, err := p.str()
		if err != nil {
			return "", false, nil, err
		}
		if seen[key] {
			return "", false, nil, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		if !p.eat(':') {
			return "", false, nil, fmt.Errorf("missing ':' after %q", key)
		}
		switch key {
		case "descr":
			descr, err = p.str()
		case "fortran_order":
			fortran, err = p.boolean()
		case "shape":
			shape, err = p.tuple()
		default:
			return "", false, nil, fmt.Errorf("unexpected key %q", key)
		}
		if err != nil {
			return "", false, nil, fmt.Errorf("%s: %w", key, err)
		}
		if !p.eat(',') && !p.peek('}') {
			return "", false, nil, fmt.Errorf("expected ',' or '}' at offset %d", p.i)
		}
	}
	p.space()
	if p.i != len(p.s) {
		return "", false, nil, fmt.Errorf("trailing bytes after the dict at offset %d", p.i)
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return "", false, nil, fmt.Errorf("missing key %q", k)
		}
	}
	return descr, fortran, shape, nil
}

// parser is a cursor over a header string.
type parser struct {
	s string
	i int
}

// space skips Python whitespace (numpy pads with spaces and ends with '\n').
func (p *parser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

// peek reports whether the next non-space byte is c, without consuming it.
func (p *parser) peek(c byte) bool {
	p.space()
	return p.i < len(p.s) && p.s[p.i] == c
}

// eat consumes c if it is the next non-space byte.
func (p *parser) eat(c byte) bool {
	if p.peek(c) {
		p.i++
		return true
	}
	return false
}

// str parses a quoted string without escapes (numpy never writes any in
// the keys or the simple dtypes we support).
func (p *parser) str() (string, error) {
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", fmt.Errorf("expected a string at offset %d", p.i)
	}
	q := p.s[p.i]
	for j := p.i + 1; j < len(p.s); j++ {
		switch p.s[j] {
		case q:
			v := p.s[p.i+1 : j]
			p.i = j + 1
			return v, nil
		case '\\', '\n':
			return "", fmt.Errorf("unsupported string at offset %d", p.i)
		}
	}
	return "", fmt.Errorf("unterminated string at offset %d", p.i)
}

// boolean parses True or False.
func (p *parser) boolean() (bool, error) {
	p.space()
	for _, w := range []struct {
		lit string
		v   bool
	}{{"True", true}, {"False", false}} {
		if len(p.s)-p.i >= len(w.lit) && p.s[p.i:p.i+len(w.lit)] == w.lit {
			p.i += len(w.lit)
			return w.v, nil
		}
	}
	return false, fmt.Errorf("expected True or False at offset %d", p.i)
}

// tuple parses a tuple of non-negative integers: (), (3,), (3, 2).
func (p *parser) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, fmt.Errorf("expected '(' at offset %d", p.i)
	}
	shape := []int{}
	for !p.eat(')') {
		p.space()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j == p.i {
			return nil, fmt.Errorf("expected a non-negative integer at offset %d", p.i)
		}
		d, err := strconv.Atoi(p.s[p.i:j])
		if err != nil {
			return nil, fmt.Errorf("dimension %s out of range", p.s[p.i:j])
		}
		p.i = j
		if p.i < len(p.s) && p.s[p.i] == 'L' {
			p.i++
		}
		if len(shape) == MaxDims {
			return nil, fmt.Errorf("more than %d dimensions", MaxDims)
		}
		shape = append(shape, d)
		comma := p.eat(',')
		if !comma && !p.peek(')') {
			return nil, fmt.Errorf("expected ',' or ')' at offset %d", p.i)
		}
		if !comma && len(shape) == 1 {
			// "(3)" is an int in Python, not a tuple; numpy never writes it.
			return nil, errors.New("one-element shape without a trailing comma")
		}
	}
	return shape, nil
}
