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

// runKind says which panels a run has besides the scatter.
type runKind int

const (
	kindPlain  runKind = iota
	kindImages         // image runs: the image grid
	kindTable          // batch-merging runs: the comparison table
)

// viewMode is what the left area shows; g cycles it.
type viewMode int

const (
	viewBoth    viewMode = iota // the scatter with the run's other panel
	viewImages                  // the image grid alone
	viewScatter                 // the scatter alone
)

// Images share the left area with the scatter from splitMinW×splitMinH
// cells of plot area on (at 80×24 they replace it): below that, half the
// area would leave too few rows for either. minScatterH keeps the scatter
// readable above the gene table.
const (
	splitMinW   = 80
	splitMinH   = 36
	minScatterH = 10
)

// roomy reports whether the plot area can hold the images and the scatter.
func (r regions) roomy() bool { return r.PlotW >= splitMinW && r.PlotH >= splitMinH }

// effective is the view actually shown: both panels need room.
func (v viewMode) effective(k runKind, r regions) viewMode {
	switch {
	case k == kindPlain:
		return viewScatter
	case k == kindImages && v == viewBoth && !r.roomy():
		return viewImages
	case k == kindTable && v == viewImages:
		return viewBoth
	case k == kindTable && v == viewBoth && r.PlotH-tableRows < minScatterH:
		return viewScatter
	}
	return v
}

// next is the view after g: both → images → scatter for image runs (images
// ↔ scatter when there is no room for both), table ↔ none for gene runs.
func (v viewMode) next(k runKind, r regions) viewMode {
	switch k {
	case kindImages:
		switch v.effective(k, r) {
		case viewBoth:
			return viewImages
		case viewImages:
			return viewScatter
		}
		if r.roomy() {
			return viewBoth
		}
		return viewImages
	case kindTable:
		if v == viewScatter {
			return viewBoth
		}
		return viewScatter
	}
	return v
}

// leftRows splits the rows of the plot area: the image grid above the
// scatter, the scatter above the gene table.
func leftRows(r regions, k runKind, v viewMode) (images, scatter, table int) {
	switch v.effective(k, r) {
	case viewImages:
		return r.PlotH, 0, 0
	case viewBoth:
		if k == kindTable {
			return 0, r.PlotH - tableRows, tableRows
		}
		images = r.PlotH / 2
		return images, r.PlotH - images, 0
	}
	return 0, r.PlotH, 0
}
