package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
)

// Series of the scatter plot, in drawing priority: where two share a braille
// cell the cell takes the colour of the lower index.
const (
	seriesParticles = iota
	seriesTargets
	seriesInitial
	numSeries
)

// palette holds every colour literal of the TUI. Hex colours are written
// for true-colour terminals; Bubble Tea converts them to the 256- or
// 16-colour palette, or drops them, from the colour profile it detects on
// its output (TERM, COLORTERM, NO_COLOR; charm.land/bubbletea/v2 tea.go,
// colorprofile.Detect).
var palette = struct {
	particles, targets, initial color.Color
	accent, muted, text         color.Color
	ok, warn, bad               color.Color
}{
	particles: lipgloss.Color("#FF5FAF"), // xterm-256 205, hot pink
	targets:   lipgloss.Color("#5FD7FF"), // xterm-256 81, sky blue
	initial:   lipgloss.Color("#8A8A8A"), // xterm-256 245, grey
	accent:    lipgloss.Color("#AF87FF"), // xterm-256 141
	muted:     lipgloss.Color("#808080"), // xterm-256 244
	text:      lipgloss.Color("#D0D0D0"), // xterm-256 252
	ok:        lipgloss.Color("#5FD75F"), // xterm-256 77
	warn:      lipgloss.Color("#FFAF00"), // xterm-256 214
	bad:       lipgloss.Color("#FF5F5F"), // xterm-256 203
}

// Styles is every style of the TUI, built from the palette.
type Styles struct {
	Series [numSeries]lipgloss.Style // scatter series, by priority

	Title, Badge, Paused, Diverged lipgloss.Style
	Label, Value, Muted            lipgloss.Style
	OK, Warn, Bad                  lipgloss.Style
	Axis, Spark                    lipgloss.Style
	Side                           lipgloss.Style // the right column's frame
	Picked                         lipgloss.Style // the picker's cursor row
	Help                           help.Styles
}

// newStyles builds the styles for a colour profile. Colours are always
// set (Bubble Tea downsamples them); where the profile has no colour at all
// (NO_COLOR, a dumb terminal) the scatter series and the states are told
// apart by text attributes instead: particles bold, initial particles faint.
func newStyles(p colorprofile.Profile) Styles {
	noColor := p != colorprofile.Unknown && p <= colorprofile.ASCII
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }

	s := Styles{
		Title:    fg(palette.accent).Bold(true),
		Badge:    fg(palette.ok).Bold(true),
		Paused:   fg(palette.warn).Bold(true),
		Diverged: fg(palette.bad).Bold(true),
		Label:    fg(palette.muted),
		Value:    fg(palette.text),
		Muted:    fg(palette.muted),
		OK:       fg(palette.ok),
		Warn:     fg(palette.warn).Bold(true),
		Bad:      fg(palette.bad).Bold(true),
		Axis:     fg(palette.muted),
		Spark:    fg(palette.accent),
		Side: lipgloss.NewStyle().
			Border(lipgloss.NormalBorder(), false, false, false, true).
			BorderForeground(palette.muted).
			PaddingLeft(1),
		Picked: fg(palette.accent).Bold(true).Reverse(noColor),
	}
	s.Series[seriesParticles] = fg(palette.particles)
	s.Series[seriesTargets] = fg(palette.targets)
	s.Series[seriesInitial] = fg(palette.initial)
	if noColor {
		s.Series[seriesParticles] = s.Series[seriesParticles].Bold(true)
		s.Series[seriesInitial] = s.Series[seriesInitial].Faint(true)
		s.Paused = s.Paused.Reverse(true)
		s.Diverged = s.Diverged.Reverse(true)
	}

	key := fg(palette.accent)
	desc := fg(palette.muted)
	sep := fg(palette.muted)
	s.Help = help.Styles{
		Ellipsis:       sep,
		ShortKey:       key,
		ShortDesc:      desc,
		ShortSeparator: sep,
		FullKey:        key,
		FullDesc:       desc,
		FullSeparator:  sep,
	}
	return s
}
