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

// palette holds every colour literal of the TUI. They are entries of the
// xterm 256-colour palette, not 24-bit colours: the same hues (the
// palette's entries 16–255 are standard, and terminals do not theme them),
// but "\x1b[38;5;205m" is 11 bytes where "\x1b[38;2;255;95;175m" is 19,
// and colour changes are most of a moving scatter's frame (lean frames,
// issue #13: a 24-bit frame cost 20% more than a 256-colour one). Bubble
// Tea converts them to 16 colours or drops them from the colour profile it
// detects on its output (TERM, COLORTERM, NO_COLOR; charm.land/bubbletea/v2
// tea.go, colorprofile.Detect). The image panel keeps 24-bit pixels.
var palette = struct {
	particles, targets, initial color.Color
	accent, muted, text         color.Color
	ok, warn, bad               color.Color
	heat                        [heatLevels]color.Color
}{
	particles: lipgloss.Color("205"), // #FF5FAF, hot pink
	targets:   lipgloss.Color("81"),  // #5FD7FF, sky blue
	initial:   lipgloss.Color("245"), // #8A8A8A, grey
	accent:    lipgloss.Color("141"), // #AF87FF
	muted:     lipgloss.Color("244"), // #808080
	text:      lipgloss.Color("252"), // #D0D0D0
	ok:        lipgloss.Color("77"),  // #5FD75F
	warn:      lipgloss.Color("214"), // #FFAF00
	bad:       lipgloss.Color("203"), // #FF5F5F
	// The heat-map's shades, low to high: the grey ramp #121212 … #585858
	// (xterm 233–240), dark enough that pink particles and blue targets
	// stay legible on every shade, and free of hue so that no colour is
	// read into it.
	heat: [heatLevels]color.Color{
		lipgloss.Color("233"), lipgloss.Color("234"), lipgloss.Color("235"), lipgloss.Color("236"),
		lipgloss.Color("237"), lipgloss.Color("238"), lipgloss.Color("239"), lipgloss.Color("240"),
	},
}

// Styles is every style of the TUI, built from the palette.
type Styles struct {
	Series [numSeries]lipgloss.Style // scatter series, by priority

	Title, Badge, Paused, Diverged lipgloss.Style
	Label, Value, Muted            lipgloss.Style
	OK, Warn, Bad                  lipgloss.Style
	Axis, Spark                    lipgloss.Style
	Side                           lipgloss.Style             // the right column's frame
	Picked                         lipgloss.Style             // the picker's cursor row
	Heat                           [heatLevels]lipgloss.Style // the heat-map's shades (backgrounds)
	Help                           help.Styles
	NoColor                        bool // the profile shows no colour at all
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
	for i, c := range palette.heat {
		s.Heat[i] = lipgloss.NewStyle().Background(c)
	}
	s.NoColor = noColor
	if noColor {
		// Apart without colour: particles bold, targets underlined (bold
		// alone was hard to tell apart, issue #13), initial faint.
		s.Series[seriesParticles] = s.Series[seriesParticles].Bold(true)
		s.Series[seriesTargets] = s.Series[seriesTargets].Underline(true)
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
