package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/gpa-tui/gpa-tui/core"
)

// keyMap is every key binding of the workbench. Keys are matched only with
// key.Matches.
type keyMap struct {
	Pause, Step                 key.Binding
	Params                      []paramKey // from the run's parameter table
	Presets, Restart, Save      key.Binding
	Stop                        key.Binding // attached runs: stop the run
	Projection, AxisX, AxisY    key.Binding
	Initial, Freeze, View       key.Binding
	Help, Quit                  key.Binding
	PickUp, PickDown, PickEnter key.Binding
	PickCancel                  key.Binding
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
		Initial:    key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "initial")),
		Freeze:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "freeze view")),
		View:       key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "images/table")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "all keys")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		PickUp:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		PickDown:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PickEnter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		PickCancel: key.NewBinding(key.WithKeys("esc", "p"), key.WithHelp("esc", "close")),
	}
}

// ShortHelp is the one-line help that is always visible: the flow keys,
// the first two parameters' keys, then save, help, quit and presets.
func (k keyMap) ShortHelp() []key.Binding {
	b := []key.Binding{k.Pause, k.Step}
	for _, pk := range k.Params[:min(2, len(k.Params))] {
		b = append(b, pk.Up)
	}
	if k.attached {
		// Attached: X and q matter more than s (in the full help), and
		// all fit in 80 columns.
		q, x := k.Quit, k.Stop
		q.SetHelp("q", "detach")
		x.SetHelp("X", "stop")
		return append(b, x, k.Help, q)
	}
	return append(b, k.Save, k.Help, k.Quit, k.Presets)
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
		k.paramHelp(up),
		{k.Projection, up(k.AxisX, "x", "next x coord"), k.AxisY, k.Initial, k.Freeze, up(k.View, "g", "scatter/images/table"), up(k.Help, "?", "close help")},
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
	return []key.Binding{k.PickUp, k.PickDown, k.PickEnter, k.PickCancel, k.Quit}
}
