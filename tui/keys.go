package tui

import "charm.land/bubbles/v2/key"

// keyMap is every key binding of the workbench. Keys are matched only with
// key.Matches.
type keyMap struct {
	Pause, Step                 key.Binding
	LipUp, LipDown              key.Binding
	DtUp, DtDown                key.Binding
	LRUp, LRDown                key.Binding
	InnerUp, InnerDown          key.Binding
	Presets, Restart, Save      key.Binding
	Projection, AxisX, AxisY    key.Binding
	Initial, Freeze, View       key.Binding
	Help, Quit                  key.Binding
	PickUp, PickDown, PickEnter key.Binding
	PickCancel                  key.Binding
}

// defaultKeys is the key map of the issue: space, n, L/l, T/t, p, r, s, v,
// i, q; D/d for the learning rate δ (the paper's symbol, Algorithm 1) and
// +/- for T_NN.
func defaultKeys() keyMap {
	return keyMap{
		Pause:      key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "run/pause")),
		Step:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "step")),
		LipUp:      key.NewBinding(key.WithKeys("L"), key.WithHelp("L/l", "L ±")),
		LipDown:    key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "lower L")),
		DtUp:       key.NewBinding(key.WithKeys("T"), key.WithHelp("T/t", "Δt ±")),
		DtDown:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "lower Δt")),
		LRUp:       key.NewBinding(key.WithKeys("D"), key.WithHelp("D/d", "lr δ ±")),
		LRDown:     key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "lower lr δ")),
		InnerUp:    key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+/-", "T_NN ±")),
		InnerDown:  key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "lower T_NN")),
		Presets:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "presets")),
		Restart:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restart")),
		Save:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save")),
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

// ShortHelp is the one-line help that is always visible.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Pause, k.Step, k.LipUp, k.DtUp, k.Save, k.Help, k.Quit, k.Presets}
}

// FullHelp is the help shown by "?", one column per group.
func (k keyMap) FullHelp() [][]key.Binding {
	up := func(b key.Binding, h, d string) key.Binding {
		b.SetHelp(h, d)
		return b
	}
	return [][]key.Binding{
		{k.Pause, up(k.Step, "n", "one step (paused)"), k.Restart, k.Presets, k.Save, k.Quit},
		{
			up(k.LipUp, "L", "raise L"), k.LipDown,
			up(k.DtUp, "T", "raise Δt"), k.DtDown,
			up(k.LRUp, "D", "raise lr δ"), k.LRDown,
			up(k.InnerUp, "+", "raise T_NN"), k.InnerDown,
		},
		{k.Projection, up(k.AxisX, "x", "next x coord"), k.AxisY, k.Initial, k.Freeze, up(k.View, "g", "scatter/images/table"), up(k.Help, "?", "close help")},
	}
}

// pickerHelp is the short help while the preset picker is open.
func (k keyMap) pickerHelp() []key.Binding {
	return []key.Binding{k.PickUp, k.PickDown, k.PickEnter, k.PickCancel, k.Quit}
}
