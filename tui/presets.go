package tui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gpa-tui/gpa-tui/presets"
)

// pickItem is one entry of the preset picker: an embedded preset or a
// *.toml file in the working directory.
type pickItem struct {
	Name, Description string
	File              bool
	Figure            string // the paper's figure it reproduces ("Fig. 5"), or ""
	Group             string // the heading it is listed under ("" : by Figure)
	// Err: the file does not load (listed with the error, not pickable);
	// Missing: its data are not installed (pickable: loading says the same
	// in full), with what to install.
	Err, Missing string
}

// Picker groups, in the order they are listed; other groups follow.
var pickGroups = []string{groupPoints, groupImages, groupGenes, groupFiles, groupBroken}

const (
	groupPoints = "Point clouds"
	groupImages = "Images"
	groupGenes  = "Gene expression"
	groupFiles  = "Preset files (./*.toml)"
	groupBroken = "Preset files that do not load"
)

// pickTimeout bounds the listing of the presets (the preset files of the
// working directory are read, and a hung network file system must not
// freeze the picker): after it the picker shows what it has, and says so.
// A variable for tests.
var pickTimeout = 2 * time.Second

// pickListMsg delivers the listing.
type pickListMsg struct {
	seq   int
	items []pickItem
	late  bool // timed out: the files were left out
}

// pickedMsg reports the picker's choice.
type pickedMsg struct{ name string }

// pickerClosedMsg reports that the picker was closed without a choice.
type pickerClosedMsg struct{}

// picker is the preset picker. It owns its keys while open.
type picker struct {
	w, h      int
	items     []pickItem // sorted: by group, then in natural order
	shown     []int      // the items that pass the filter
	cursor    int        // index into shown
	filter    string
	filtering bool   // typing the filter
	current   string // the running preset, where the cursor starts
	waiting   bool   // the listing has not come yet
	note      string // why the list may be incomplete
	keys      keyMap
	cache     string
}

// newPicker lists items, sorted, with the cursor on current.
func newPicker(items []pickItem, keys keyMap) picker {
	p := picker{keys: keys}
	p.setItems(items)
	return p
}

// setItems replaces the list and puts the cursor on the current preset.
// Presets that reproduce a figure of the paper come first, under "Paper
// Fig. N" in the figures' order (presets.FigureOrder), then the groups of
// pickGroups, then any other.
func (p *picker) setItems(items []pickItem) {
	items = slices.Clone(items)
	for i := range items {
		switch it := &items[i]; {
		case it.Group != "":
		case it.Figure != "":
			it.Group = "Paper " + it.Figure
		default:
			it.Group = "Other presets"
		}
	}
	order := func(it pickItem) int {
		if it.Figure != "" && it.Group == "Paper "+it.Figure {
			return -1
		}
		if i := slices.Index(pickGroups, it.Group); i >= 0 {
			return i
		}
		return len(pickGroups)
	}
	slices.SortStableFunc(items, func(a, b pickItem) int {
		if c := cmp.Compare(order(a), order(b)); c != 0 {
			return c
		}
		if order(a) < 0 {
			if c := presets.FigureOrder(a.Figure, b.Figure); c != 0 {
				return c
			}
		}
		if c := strings.Compare(a.Group, b.Group); c != 0 {
			return c
		}
		return naturalCompare(a.Name, b.Name)
	})
	p.items = items
	p.applyFilter()
	for i, k := range p.shown {
		if it := p.items[k]; it.Name == p.current {
			p.cursor = i
		}
	}
}

// naturalCompare orders strings with their digit runs as numbers
// ("d2" < "d5" < "d10" < "d20").
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitsPrefix(a), digitsPrefix(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		ra, rb := []rune(a)[0], []rune(b)[0]
		if c := cmp.Compare(unicode.ToLower(ra), unicode.ToLower(rb)); c != 0 {
			return c
		}
		a, b = a[len(string(ra)):], b[len(string(rb)):]
	}
	return cmp.Compare(len(a), len(b))
}

// digitsPrefix is the leading run of ASCII digits of s.
func digitsPrefix(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// applyFilter keeps the items whose name, description or group contains
// the filter (any case), keeping the cursor on the same item if it stays.
func (p *picker) applyFilter() {
	var at int = -1
	if p.cursor >= 0 && p.cursor < len(p.shown) {
		at = p.shown[p.cursor]
	}
	p.shown = p.shown[:0]
	f := strings.ToLower(p.filter)
	for i, it := range p.items {
		if f == "" || strings.Contains(strings.ToLower(it.Name+" "+it.Description+" "+it.Group), f) {
			p.shown = append(p.shown, i)
		}
	}
	p.cursor = 0
	for i, k := range p.shown {
		if k == at {
			p.cursor = i
		}
	}
}

// SetSize sets the panel size.
func (p *picker) SetSize(w, h int) { p.w, p.h = max(w, 1), max(h, 1) }

// View is the cached rendering, h lines of width w.
func (p *picker) View() string { return p.cache }

// rows is the number of list rows on screen (for page keys).
func (p *picker) rows() int { return max(p.h-3, 1) }

// Update moves the cursor, edits the filter, or reports a choice as a
// pickedMsg or pickerClosedMsg.
func (p picker) Update(msg tea.Msg) (picker, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, nil
	}
	if p.filtering {
		switch {
		case k.String() == "esc":
			p.filtering, p.filter = false, ""
			p.applyFilter()
		case k.String() == "enter":
			p.filtering = false
		case k.String() == "backspace":
			if r := []rune(p.filter); len(r) > 0 {
				p.filter = string(r[:len(r)-1])
				p.applyFilter()
			}
		case k.Text != "" && unicode.IsPrint([]rune(k.Text)[0]):
			p.filter += k.Text
			p.applyFilter()
		case key.Matches(k, p.keys.PanUp), key.Matches(k, p.keys.PanDown):
			p.filtering = false
			return p.Update(msg)
		}
		return p, nil
	}
	n := len(p.shown)
	switch {
	case key.Matches(k, p.keys.PickFilter):
		p.filtering = true
	case key.Matches(k, p.keys.PickUp):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(k, p.keys.PickDown):
		p.cursor = max(min(p.cursor+1, n-1), 0)
	case key.Matches(k, p.keys.PageUp):
		p.cursor = max(p.cursor-p.rows(), 0)
	case key.Matches(k, p.keys.PageDown):
		p.cursor = max(min(p.cursor+p.rows(), n-1), 0)
	case key.Matches(k, p.keys.Home):
		p.cursor = 0
	case key.Matches(k, p.keys.End):
		p.cursor = max(n-1, 0)
	case key.Matches(k, p.keys.PickEnter):
		if n == 0 {
			return p, nil
		}
		it := p.items[p.shown[p.cursor]]
		if it.Err != "" {
			p.note = it.Name + " does not load: " + it.Err
			return p, nil
		}
		name := it.Name
		return p, func() tea.Msg { return pickedMsg{name} }
	case key.Matches(k, p.keys.PickCancel):
		if p.filter != "" {
			p.filter = ""
			p.applyFilter()
			return p, nil
		}
		return p, func() tea.Msg { return pickerClosedMsg{} }
	}
	return p, nil
}

// redraw renders the list under its group headings, scrolled so that the
// cursor is visible, with the filter line on top.
func (p *picker) redraw(st *Styles) {
	head := st.Title.Render(" Presets") + st.Muted.Render("  enter opens · / filter · esc closes")
	filter := st.Muted.Render(" / to filter")
	switch {
	case p.filtering:
		filter = st.Title.Render(" /") + st.Value.Render(p.filter) + st.Title.Render("▏") + st.Muted.Render(fmt.Sprintf("  %d of %d", len(p.shown), len(p.items)))
	case p.filter != "":
		filter = st.Muted.Render(" filter ") + st.Value.Render(p.filter) + st.Muted.Render(fmt.Sprintf("  %d of %d · esc clears", len(p.shown), len(p.items)))
	}
	if p.note != "" {
		filter = " " + st.Warn.Render(p.note)
	}
	lines := []string{head, filter}
	// rows: an item (index into shown), or −1 − i for the heading of
	// shown[i]'s group.
	var rows []int
	cur := 0
	for i, k := range p.shown {
		if i == 0 || p.items[k].Group != p.items[p.shown[i-1]].Group {
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
			lines = append(lines, " "+st.Label.Render(p.items[p.shown[-1-r]].Group))
			continue
		}
		it := p.items[p.shown[r]]
		mark := "  "
		name := st.Value.Render(it.Name)
		if r == p.cursor {
			mark = st.Picked.Render("▸ ")
			name = st.Picked.Render(it.Name)
		}
		if it.Name == p.current {
			name += st.OK.Render(" ●")
		}
		desc := st.Muted.Render(it.Description)
		switch {
		case it.Err != "":
			desc = st.Bad.Render("does not load: " + it.Err)
		case it.Missing != "":
			desc = st.Warn.Render("data missing: "+it.Missing) + st.Muted.Render(" · "+it.Description)
		}
		lines = append(lines, "  "+mark+name+"  "+desc)
	}
	switch {
	case p.waiting:
		lines = append(lines, "  "+st.Muted.Render("reading the presets…"))
	case len(p.items) == 0:
		lines = append(lines, "  "+st.Muted.Render("no presets"))
	case len(p.shown) == 0:
		lines = append(lines, "  "+st.Muted.Render("nothing matches "+fmt.Sprintf("%q", p.filter)))
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

// listCmd lists the presets off the UI goroutine: the embedded ones, then
// the preset files of the working directory, giving up on the files after
// pickTimeout (the reading goroutine may stay blocked on a hung file
// system; the workbench does not wait for it).
func listCmd(embedded, files func() []pickItem, seq int) tea.Cmd {
	return func() tea.Msg {
		var items []pickItem
		if embedded != nil {
			items = embedded()
		}
		if files == nil {
			return pickListMsg{seq: seq, items: items}
		}
		done := make(chan []pickItem, 1)
		go func() { done <- files() }()
		select {
		case f := <-done:
			return pickListMsg{seq: seq, items: append(items, f...)}
		case <-time.After(pickTimeout):
			return pickListMsg{seq: seq, items: items, late: true}
		}
	}
}
