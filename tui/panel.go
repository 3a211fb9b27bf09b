package tui

// panel is the contract every panel of the screen keeps (as the components
// of Charm's soft-serve): the model gives it a size, sets its data fields,
// asks it to redraw into a cached string, and View returns that string,
// which the model's View only joins. A panel that owns input (the picker)
// also has a typed Update and its own key help.
type panel interface {
	SetSize(w, h int)
	redraw(st *Styles)
	View() string
}

var (
	_ panel = (*plotPanel)(nil)
	_ panel = (*imagePanel)(nil)
	_ panel = (*tablePanel)(nil)
	_ panel = (*paramPanel)(nil)
	_ panel = (*spark)(nil)
	_ panel = (*picker)(nil)
)
