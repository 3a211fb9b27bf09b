package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// TestPickerGroupsByFigure: the picker shows a heading per paper figure
// (and "Other presets" last); the cursor moves over presets only.
func TestPickerGroupsByFigure(t *testing.T) {
	st := newStyles(colorprofile.NoTTY)
	p := newPicker([]pickItem{
		{Name: "fig1-mnist-200", Figure: "Fig. 1"},
		{Name: "fig5-four-wells", Figure: "Fig. 5"},
		{Name: "four-well-L1", Figure: "Fig. 5"},
		{Name: "gauss-translation"},
	}, defaultKeys())
	p.SetSize(60, 12)
	p.redraw(&st)
	lines := strings.Split(ansi.Strip(p.View()), "\n")
	want := []string{"Paper Fig. 1", "fig1-mnist-200", "Paper Fig. 5", "fig5-four-wells", "four-well-L1", "Other presets", "gauss-translation"}
	for i, w := range want {
		if l := lines[2+i]; !strings.Contains(l, w) {
			t.Errorf("line %d = %q, want %q", 2+i, l, w)
		}
	}
	for range 2 {
		p, _ = p.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	p.redraw(&st)
	if !strings.Contains(ansi.Strip(p.View()), "▸ four-well-L1") {
		t.Errorf("two downs should select four-well-L1:\n%s", ansi.Strip(p.View()))
	}
	_, cmd := p.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if msg, ok := cmd().(pickedMsg); !ok || msg.name != "four-well-L1" {
		t.Errorf("enter picked %v", cmd())
	}
}
