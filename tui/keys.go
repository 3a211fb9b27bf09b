package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"github.com/gpa-tui/gpa-tui/core"
)

// keyMap is every key binding of the workbench. Keys are matched only with
// key.Matches.
type keyMap struct {
	Pause, Step                       key.Binding
	Params                            []paramKey // from the run's parameter table
	Presets, Restart, Save            key.Binding
	Stop                              key.Binding // attached runs: stop the run
	Projection, AxisX, AxisY          key.Binding
	AxisXBack, AxisYBack              key.Binding
	Initial, Freeze, View             key.Binding
	Heat, Log, Command                key.Binding
	Focus, FocusBack, Zoom, Close     key.Binding
	ZoomIn, ZoomOut                   key.Binding // the scatter
	PanLeft, PanRight, PanUp, PanDown key.Binding
	Spark                             key.Binding // 1…4: zoom sparkline k
	Help, Quit                        key.Binding
	PickUp, PickDown, PickEnter       key.Binding
	PickCancel, PickFilter            key.Binding
	// Scrolling lists (the log, the changes, the picker).
	ScrollUp, ScrollDown, PageUp, PageDown, Home, End key.Binding
	// attached: the run is another process's (gpa-tui attach): X stops it,
	// r and p do not apply.
	attached bool
}

// paramKey raises and lowers one parameter (core.Param.Up, Down).
type paramKey struct {
	p        *core.Param
	Up, Down key.Binding
}

// keyAliases are keys that act like another: "=" and "_" are "+" and "-"
// without the shift key.
var keyAliases = map[string][]string{"+": {"+", "="}, "-": {"-", "_"}}

// setParams binds the keys of a run's parameters: GPA's L/l, T/t (Δt), D/d
// (the learning rate δ, Algorithm 1) and +/- (T_NN).
func (k *keyMap) setParams(t core.ParamTable) {
	k.Params = k.Params[:0]
	for i := range t {
		p := &t[i]
		if p.Up == "" || p.Down == "" {
			continue
		}
		keys := func(s string) []string {
			if a, ok := keyAliases[s]; ok {
				return a
			}
			return []string{s}
		}
		k.Params = append(k.Params, paramKey{
			p:    p,
			Up:   key.NewBinding(key.WithKeys(keys(p.Up)...), key.WithHelp(p.Up+"/"+p.Down, p.Symbol+" ±")),
			Down: key.NewBinding(key.WithKeys(keys(p.Down)...), key.WithHelp(p.Down, "lower "+p.Symbol)),
		})
	}
}

// defaultKeys is the key map of the issue: space, n, p, r, s, v, i, q; the
// parameters' keys come with each run (setParams).
func defaultKeys() keyMap {
	return keyMap{
		Pause:      key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "run/pause")),
		Step:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "step")),
		Presets:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "presets")),
		Restart:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restart")),
		Save:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save")),
		Stop:       key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "stop the run")),
		Projection: key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "projection")),
		AxisX:      key.NewBinding(key.WithKeys("x"), key.WithHelp("x/y", "pick axes")),
		AxisY:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "next y coord")),
		AxisXBack:  key.NewBinding(key.WithKeys("X"), key.WithHelp("X/Y", "previous x/y coord")),
		AxisYBack:  key.NewBinding(key.WithKeys("Y"), key.WithHelp("Y", "previous y coord")),
		Initial:    key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "initial")),
		Freeze:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "freeze/auto view")),
		View:       key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "images/table")),
		Heat:       key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "heat-map of φ")),
		Log:        key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "log")),
		Command:    key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Focus:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next panel")),
		FocusBack:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous panel")),
		Zoom:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "zoom panel")),
		Close:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
		ZoomIn:     key.NewBinding(key.WithKeys("z"), key.WithHelp("z/Z", "zoom scatter in/out")),
		ZoomOut:    key.NewBinding(key.WithKeys("Z"), key.WithHelp("Z", "zoom out")),
		PanLeft:    key.NewBinding(key.WithKeys("left"), key.WithHelp("←↑↓→", "pan scatter")),
		PanRight:   key.NewBinding(key.WithKeys("right")),
		PanUp:      key.NewBinding(key.WithKeys("up")),
		PanDown:    key.NewBinding(key.WithKeys("down")),
		Spark:      key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "zoom sparkline")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		PickUp:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		PickDown:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PickEnter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		PickCancel: key.NewBinding(key.WithKeys("esc", "p"), key.WithHelp("esc", "close")),
		PickFilter: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ScrollUp:   key.NewBinding(key.WithKeys("up", "k")),
		ScrollDown: key.NewBinding(key.WithKeys("down", "j")),
		PageUp:     key.NewBinding(key.WithKeys("pgup")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown")),
		Home:       key.NewBinding(key.WithKeys("home")),
		End:        key.NewBinding(key.WithKeys("end")),
	}
}

// ShortHelp is the one-line help that is always visible: the flow keys,
// the first two parameters' keys, the command line, the log, save, help,
// quit and presets.
func (k keyMap) ShortHelp(_ int) []key.Binding {
	up := func(b key.Binding, h, d string) key.Binding {
		b.SetHelp(h, d)
		return b
	}
	b := []key.Binding{up(k.Pause, "space", "run"), k.Step}
	for _, pk := range k.Params[:min(2, len(k.Params))] {
		b = append(b, up(pk.Up, pk.p.Up+"/"+pk.p.Down, pk.p.Symbol+"±"))
	}
	b = append(b, up(k.Command, ":", "cmd"), k.Log)
	if k.attached {
		// Attached: X and q matter more than s (in the full help).
		return append(b, up(k.Stop, "X", "stop"), up(k.Help, "?", "keys"), up(k.Quit, "q", "detach"))
	}
	return append(b, k.Save, up(k.Help, "?", "keys"), k.Quit, k.Presets)
}

// shortHelpRank orders the short help's keys by what to keep when the
// line is too narrow: lower first (space, n, q, ?, p, L/l, :, g, m, s,
// Δt). Keys not listed go last.
var shortHelpRank = map[string]int{"space": 0, "n": 1, "q": 2, "?": 3, "p": 4, "L/l": 5, ":": 6, "g": 7, "m": 8, "X": 9, "s": 10,
	"m/esc": 0, "↑↓": 1, "↑/k": 1, "↓/j": 1, "enter": 1, "esc": 2, "/": 3, "pgup/pgdn": 4}

// fitHelp drops the least important keys until the help line fits w cells.
func fitHelp(h help.Model, b []key.Binding, w int) string {
	h.SetWidth(0) // measure untruncated
	for {
		s := h.ShortHelpView(b)
		if lipgloss.Width(s) <= w || len(b) <= 1 {
			return s
		}
		worst, rank := -1, -1
		for i, kb := range b {
			r, ok := shortHelpRank[kb.Help().Key]
			if !ok {
				r = 100
			}
			if r >= rank {
				worst, rank = i, r
			}
		}
		b = append(b[:worst:worst], b[worst+1:]...)
	}
}

// logHelp is the short help while the log is open.
func (k keyMap) logHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("up"), key.WithHelp("↑↓", "scroll")),
		key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup/pgdn", "page")),
		key.NewBinding(key.WithKeys("home"), key.WithHelp("home/end", "ends")),
		key.NewBinding(key.WithKeys("m"), key.WithHelp("m/esc", "close")),
		k.Pause, k.Quit,
	}
}

// FullHelp is the help shown by "?", one column per group.
func (k keyMap) FullHelp() [][]key.Binding {
	up := func(b key.Binding, h, d string) key.Binding {
		b.SetHelp(h, d)
		return b
	}
	first := []key.Binding{k.Pause, up(k.Step, "n", "one step (paused)"), k.Restart, k.Presets, k.Save, k.Quit}
	if k.attached {
		first = []key.Binding{up(k.Pause, "space", "pause/resume the run"), up(k.Step, "n", "one step (paused)"),
			up(k.Save, "s", "snapshot in the run folder"), up(k.Stop, "X", "stop the run (checkpoint)"), up(k.Quit, "q", "detach (the run goes on)")}
	}
	return [][]key.Binding{
		first,
		append(k.paramHelp(up), up(k.Command, ":", "command (L 3, goto N…)"), up(k.Log, "m", "message log")),
		{k.Projection, up(k.AxisX, "x/y", "next x/y coord"), up(k.AxisXBack, "X/Y", "previous x/y"), k.Initial, k.Freeze,
			up(k.View, "g", "scatter/images/table"), k.Heat, k.ZoomIn, k.PanLeft},
		{k.Focus, k.Zoom, k.Spark, k.Close, up(k.Help, "?", "close help")},
	}
}

// paramHelp lists the parameters' keys for the full help.
func (k keyMap) paramHelp(up func(key.Binding, string, string) key.Binding) []key.Binding {
	var b []key.Binding
	for _, pk := range k.Params {
		b = append(b, up(pk.Up, pk.p.Up, "raise "+pk.p.Symbol), pk.Down)
	}
	return b
}

// pickerHelp is the short help while the preset picker is open.
func (k keyMap) pickerHelp() []key.Binding {
	return []key.Binding{k.PickUp, k.PickDown, k.PickEnter, k.PickFilter,
		key.NewBinding(key.WithKeys("home"), key.WithHelp("home/end pgup/pgdn", "jump")), k.PickCancel, k.Quit}
}
