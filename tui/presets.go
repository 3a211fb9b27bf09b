package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// pickItem is one entry of the preset picker: an embedded preset or a
// *.toml file in the working directory.
type pickItem struct {
	Name, Description string
	File              bool
	Figure            string // the paper's figure ("Fig. 5"); the picker groups by it
}

// pickedMsg reports the picker's choice.
type pickedMsg struct{ name string }

// pickerClosedMsg reports that the picker was closed without a choice.
type pickerClosedMsg struct{}

// picker is the preset picker. It owns its keys while open.
type picker struct {
	w, h   int
	items  []pickItem
	cursor int
	keys   keyMap
	cache  string
}

// newPicker lists items: the embedded presets, then preset files.
func newPicker(items []pickItem, keys keyMap) picker {
	return picker{items: items, keys: keys}
}

// SetSize sets the panel size.
func (p *picker) SetSize(w, h int) { p.w, p.h = max(w, 1), max(h, 1) }

// View is the cached rendering, h lines of width w.
func (p *picker) View() string { return p.cache }

// Update moves the cursor or reports a choice as a pickedMsg or
// pickerClosedMsg.
func (p picker) Update(msg tea.Msg) (picker, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	switch {
	case key.Matches(k, p.keys.PickUp):
		if p.cursor > 0 {
			p.cursor--
		}
	case key.Matches(k, p.keys.PickDown):
		if p.cursor < len(p.items)-1 {
			p.cursor++
		}
	case key.Matches(k, p.keys.PickEnter):
		if len(p.items) == 0 {
			return p, func() tea.Msg { return pickerClosedMsg{} }
		}
		name := p.items[p.cursor].Name
		return p, func() tea.Msg { return pickedMsg{name} }
	case key.Matches(k, p.keys.PickCancel):
		return p, func() tea.Msg { return pickerClosedMsg{} }
	}
	return p, nil
}

// redraw renders the list under a heading per paper figure, scrolled so
// that the cursor is visible.
func (p *picker) redraw(st *Styles) {
	lines := []string{st.Title.Render(" Presets") + st.Muted.Render("  (enter opens, esc closes)"), ""}
	// rows: an item index, or −1 − k for the heading of items[k]'s group.
	var rows []int
	cur := 0
	for i, it := range p.items {
		if i == 0 || it.Figure != p.items[i-1].Figure {
			rows = append(rows, -1-i)
		}
		if i == p.cursor {
			cur = len(rows)
		}
		rows = append(rows, i)
	}
	room := max(p.h-len(lines), 1)
	top := max(min(cur-room/2, len(rows)-room), 0)
	for _, r := range rows[top:min(top+room, len(rows))] {
		if r < 0 {
			fig := p.items[-1-r].Figure
			if fig == "" {
				fig = "Other presets"
			} else {
				fig = "Paper " + fig
			}
			lines = append(lines, " "+st.Label.Render(fig))
			continue
		}
		it := p.items[r]
		mark := "  "
		name := st.Value.Render(it.Name)
		if r == p.cursor {
			mark = st.Picked.Render("▸ ")
			name = st.Picked.Render(it.Name)
		}
		lines = append(lines, "  "+mark+name+"  "+st.Muted.Render(it.Description))
	}
	if len(p.items) == 0 {
		lines = append(lines, st.Muted.Render("  no presets"))
	}
	var b strings.Builder
	for i := range p.h {
		if i > 0 {
			b.WriteByte('\n')
		}
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		b.WriteString(padRight(ansi.Truncate(l, p.w, "…"), p.w))
	}
	p.cache = b.String()
}
