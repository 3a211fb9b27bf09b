package tui

import (
	"fmt"

	"github.com/charmbracelet/colorprofile"
)

// Minimum terminal size: the 11 parameter lines, four one-row sparklines
// with their labels and the header, status and help lines need 24 rows; a
// readable scatter beside a 32-column side panel needs 80 columns.
const (
	minWidth  = 80
	minHeight = 24
)

// Fixed parts of the screen, in rows.
const (
	headerRows = 1
	statusRows = 1
	helpRows   = 1
	paramRows  = 11 // lines of paramPanel.View
	sparkCount = 4  // divergence, kinetic energy, MMD², max speed
	maxSparkH  = 5  // bar rows per sparkline beyond which extra rows go to the event log
)

// sideFrameW is the horizontal frame (border + padding) of the side column.
var sideFrameW = newStyles(colorprofile.TrueColor).Side.GetHorizontalFrameSize()

// regions is the screen split for a terminal of W×H cells.
type regions struct {
	W, H     int
	TooSmall bool

	PlotW, PlotH int // scatter panel
	SideW, SideH int // right column, frame included
	InnerW       int // right column without its frame
	SparkH       int // bar rows of each sparkline
	EventsH      int // rows left for the event log (may be 0)
}

// layout splits a W×H terminal: header line, then the scatter on the left
// and parameters, sparklines and event log on the right, then the status
// and help lines. Below minWidth×minHeight it reports TooSmall.
func layout(w, h int) regions {
	r := regions{W: w, H: h}
	if w < minWidth || h < minHeight {
		r.TooSmall = true
		return r
	}
	main := h - headerRows - statusRows - helpRows
	r.SideW = min(max(w*3/10, 32), 48)
	r.PlotW = w - r.SideW
	r.PlotH, r.SideH = main, main
	r.InnerW = r.SideW - sideFrameW

	// Rows for the sparklines: what the parameters and one blank line leave.
	rest := main - paramRows - 1
	r.SparkH = min(max(rest/sparkCount-1, 1), maxSparkH)
	r.EventsH = max(rest-sparkCount*(1+r.SparkH), 0)
	return r
}

// tooSmallMessage is shown, centred, instead of the workbench below the
// minimum size; its lines are short enough for a 24-column terminal.
func tooSmallMessage(w, h int) string {
	return fmt.Sprintf("Terminal too small: %d×%d\ngpa-tui needs at least\n%d×%d. Resize, or q to quit.", w, h, minWidth, minHeight)
}
