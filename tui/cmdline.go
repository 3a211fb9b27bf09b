package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
)

// The command line (":"): typed values next to the 1-2-5 keys. A command
// is a name and an argument: a parameter of the run's table (`L 3`,
// `L inf`, `dt 0.05`, `lr 1e-3`, `tnn 10`), or `goto N`, `steps N`,
// `save NAME`, `x N`, `y N`, `head N`, `fps N`. Tab completes the name;
// enter runs it, or keeps the line open with what was wrong.

// cmdLine is the command line's state.
type cmdLine struct {
	open bool
	in   textinput.Model
	err  string // why the last enter failed; cleared by the next edit
}

// command is one command of the line.
type command struct {
	name string // as completed and listed
	args string // what follows, e.g. "VALUE"
	doc  string
	// now is the current value, for the hint ("" if none).
	now func(m *model) string
	// run executes the command with its argument; the string is said on
	// the status line.
	run func(m *model, arg string) (string, error)
	p   *core.Param // parameter commands
}

// paramName is how the command line names a parameter: its symbol if
// that is plain ASCII ("L"), else the symbol in lower case without "_"
// if that is ("T_NN" → "tnn"), else its key ("dt", "lr").
func paramName(p *core.Param) string {
	ascii := func(s string) bool {
		for _, r := range s {
			if r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
				return false
			}
		}
		return s != ""
	}
	switch sq := strings.ToLower(strings.ReplaceAll(p.Symbol, "_", "")); {
	case ascii(p.Symbol) && !strings.Contains(p.Symbol, "_"):
		return p.Symbol
	case ascii(sq):
		return sq
	}
	return p.Key
}

// commands lists the commands for the current run.
func (m *model) commands() []command {
	var cs []command
	for i := range m.paramTab {
		p := &m.paramTab[i]
		cs = append(cs, command{
			name: paramName(p), args: "VALUE", doc: p.Doc + " (" + p.Range() + ")", p: p,
			now: func(m *model) string { return fmtNum(m.shown(p)) },
			run: func(m *model, arg string) (string, error) { return m.cmdParam(p, arg) },
		})
	}
	cs = append(cs,
		command{name: "goto", args: "STEP", doc: "run on to STEP, then pause", now: func(m *model) string { return strconv.Itoa(m.step) }, run: (*model).cmdGoto},
		command{name: "steps", args: "N", doc: "the run's length flow.steps (0: open-ended); it pauses there", now: func(m *model) string { return strconv.Itoa(m.cfg.Flow.Steps) }, run: (*model).cmdSteps},
		command{name: "save", args: "NAME", doc: "save a snapshot NAME.npz in the snapshot folder (never over a file)", run: (*model).cmdSave},
		command{name: "x", args: "K", doc: "show coordinate K horizontally (d > 2)", now: func(m *model) string { return strconv.Itoa(m.proj.ax) }, run: func(m *model, a string) (string, error) { return m.cmdAxis(a, true) }},
		command{name: "y", args: "K", doc: "show coordinate K vertically (d > 2)", now: func(m *model) string { return strconv.Itoa(m.proj.ay) }, run: func(m *model, a string) (string, error) { return m.cmdAxis(a, false) }},
		command{name: "head", args: "K", doc: "the head of a conditional φ the heat-map shows", now: func(m *model) string { return strconv.Itoa(m.heat.head) }, run: (*model).cmdHead},
		command{name: "fps", args: "N", doc: fmt.Sprintf("the highest frame rate, 1 … %d (the bandwidth budget may draw fewer)", m.pace.fpsCap), now: func(m *model) string { return strconv.Itoa(m.pace.fps) }, run: (*model).cmdFPS},
	)
	return cs
}

// lookupCommand finds a command by name: exactly, then a parameter by any
// of its names (key, symbol, preset key, the symbol in lower case without
// "_"), then a command name in any case.
func lookupCommand(cs []command, name string) (command, bool) {
	for _, c := range cs {
		if c.name == name {
			return c, true
		}
	}
	squash := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	for _, c := range cs {
		if p := c.p; p != nil && (p.Key == name || p.Symbol == name || p.Preset == name || squash(p.Symbol) == squash(name) || squash(p.Key) == squash(name)) {
			return c, true
		}
	}
	for _, c := range cs {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return command{}, false
}

// commandNames lists the names, for errors.
func commandNames(cs []command) string {
	var names []string
	for _, c := range cs {
		names = append(names, c.name)
	}
	return strings.Join(names, " ")
}

// errNoArg marks a command typed without its argument.
var errNoArg = errors.New("needs a value")

// runCommand parses and runs one line.
func (m *model) runCommand(line string) (string, error) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return "", nil
	}
	cs := m.commands()
	c, ok := lookupCommand(cs, fields[0])
	if !ok {
		return "", fmt.Errorf("unknown command %q; commands: %s", fields[0], commandNames(cs))
	}
	if len(fields) > 2 {
		return "", fmt.Errorf("%s takes one %s, got %q", c.name, c.args, strings.Join(fields[1:], " "))
	}
	if len(fields) == 1 {
		if c.name == "save" {
			return c.run(m, "")
		}
		now := ""
		if c.now != nil {
			now = " (now " + c.now(m) + ")"
		}
		return "", fmt.Errorf("%s %s: %w%s — %s", c.name, c.args, errNoArg, now, c.doc)
	}
	if m.eng == nil && (c.p != nil || c.name == "goto" || c.name == "steps" || c.name == "save") {
		return "", fmt.Errorf("%s: no run is loaded", c.name)
	}
	return c.run(m, fields[1])
}

// cmdParam queues a parameter change typed as text ("3", "1e-3", "inf").
func (m *model) cmdParam(p *core.Param, arg string) (string, error) {
	v, err := p.Parse(arg)
	if err != nil {
		return "", err
	}
	if v == m.shown(p) {
		return fmt.Sprintf("%s is %s already", p.Symbol, fmtNum(v)), nil
	}
	m.setPending(p, v)
	return fmt.Sprintf("%s → %s", p.Symbol, fmtNum(v)), nil
}

// parseCount reads a non-negative integer argument.
func parseCount(what, arg string) (int, error) {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: %q is not a whole number ≥ 0", what, arg)
	}
	return n, nil
}

// cmdGoto runs the flow on to a step, then pauses.
func (m *model) cmdGoto(arg string) (string, error) {
	n, err := parseCount("goto", arg)
	if err != nil {
		return "", err
	}
	if m.remote != nil {
		return "", errors.New("goto: the run is another process's; pause it with space when it gets there")
	}
	if n <= m.step {
		return "", fmt.Errorf("goto %d: the run is at step %d already; goto only runs forward (r restarts)", n, m.step)
	}
	m.goal, m.running, m.diverged = n, true, false
	return fmt.Sprintf("running to step %d", n), nil
}

// totalSetter is an engine whose planned length can change (*core.Sim).
type totalSetter interface{ SetTotalSteps(n int) }

// cmdSteps changes flow.steps, the step at which the run pauses.
func (m *model) cmdSteps(arg string) (string, error) {
	n, err := parseCount("steps", arg)
	if err != nil {
		return "", err
	}
	if _, ok := m.eng.(totalSetter); !ok || m.remote != nil {
		return "", errors.New("steps: this run's length is set by its own process")
	}
	m.pendingTotal = &n
	if n > 0 && n <= m.step {
		return fmt.Sprintf("flow.steps = %d (the run is past it: space runs on)", n), nil
	}
	return fmt.Sprintf("flow.steps = %d", n), nil
}

// cmdSave saves a snapshot under a chosen name.
func (m *model) cmdSave(arg string) (string, error) {
	if m.remote != nil {
		if arg != "" {
			return "", errors.New("save: an attached run names its own snapshots in its folder; s asks it for one")
		}
	}
	if m.d.save == nil && m.remote == nil {
		return "", errors.New("save: saving snapshots is unavailable in this build")
	}
	if arg != "" && fileSafe(arg) != strings.TrimSuffix(arg, ".npz") {
		return "", fmt.Errorf("save %s: use letters, digits, '-', '_' and '.' only", arg)
	}
	m.pendingSave, m.saveName = true, strings.TrimSuffix(arg, ".npz")
	return "saving…", nil
}

// cmdAxis picks a coordinate of the scatter directly.
func (m *model) cmdAxis(arg string, x bool) (string, error) {
	k, err := parseCount("coordinate", arg)
	if err != nil {
		return "", err
	}
	if m.proj.dim <= 2 {
		return "", fmt.Errorf("the data are %d-dimensional: both coordinates are shown", m.proj.dim)
	}
	if k >= m.proj.dim {
		return "", fmt.Errorf("coordinate %d: the data have coordinates 0 … %d", k, m.proj.dim-1)
	}
	m.proj.mode = projChoose
	if x {
		m.proj.ax = k
	} else {
		m.proj.ay = k
	}
	m.projectionChanged()
	return m.proj.caption(), nil
}

// cmdHead picks the head of a conditional φ for the heat-map.
func (m *model) cmdHead(arg string) (string, error) {
	k, err := parseCount("head", arg)
	if err != nil {
		return "", err
	}
	if k >= max(m.heat.heads, 1) {
		return "", fmt.Errorf("head %d: φ has heads 0 … %d", k, max(m.heat.heads, 1)-1)
	}
	m.heat.head = k
	m.heat.stale = true
	return fmt.Sprintf("heat-map shows head %d", k), nil
}

// cmdFPS sets the highest frame rate.
func (m *model) cmdFPS(arg string) (string, error) {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || n > m.pace.fpsCap {
		return "", fmt.Errorf("fps %s: want 1 … %d (start with --fps for more)", arg, m.pace.fpsCap)
	}
	m.pace.setFPS(n)
	return fmt.Sprintf("at most %d frames/s", n), nil
}

// openCommand opens the command line.
func (m *model) openCommand() tea.Cmd {
	in := textinput.New()
	in.Prompt = ":"
	in.ShowSuggestions = true
	st := in.Styles()
	st.Cursor.Blink = false // no blink ticks: an idle workbench does not wake
	st.Focused.Prompt = m.st.Title
	st.Focused.Text = m.st.Value
	st.Focused.Suggestion = m.st.Muted
	in.SetStyles(st)
	var sugg []string
	for _, c := range m.commands() {
		sugg = append(sugg, c.name+" ")
	}
	in.SetSuggestions(sugg)
	in.SetWidth(max(m.w-3, 10))
	m.cmd = cmdLine{open: true, in: in}
	cmd := m.cmd.in.Focus()
	m.refreshStatus()
	m.refreshHelpLine()
	return cmd
}

// onCommandKey edits the command line; enter runs it, esc closes it.
func (m *model) onCommandKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Close), k.String() == "ctrl+c":
		m.cmd.open = false
	case k.String() == "enter":
		line := m.cmd.in.Value()
		msg, err := m.runCommand(line)
		if err != nil {
			m.cmd.err = err.Error()
			m.note(statusErr, ":"+line+": "+err.Error())
			m.log.unread-- // seen on the command line already
			m.refreshStatus()
			m.refreshHelpLine()
			return nil
		}
		m.cmd.open = false
		if msg != "" {
			m.setStatus(statusInfo, ":"+strings.TrimSpace(line)+" — "+msg)
		}
		cmd := m.kick()
		m.redrawAll()
		return cmd
	default:
		var cmd tea.Cmd
		m.cmd.in, cmd = m.cmd.in.Update(k)
		m.cmd.err = ""
		m.refreshStatus()
		m.refreshHelpLine()
		return cmd
	}
	m.refreshStatus()
	m.refreshHelpLine()
	return nil
}

// commandHint is the line under the command line: what the typed command
// does and its current value, the commands that match what was typed, or
// the last error.
func (m *model) commandHint() string {
	if m.cmd.err != "" {
		return m.st.Bad.Render(m.cmd.err)
	}
	fields := strings.Fields(m.cmd.in.Value())
	cs := m.commands()
	if len(fields) > 0 {
		typing := len(fields) == 1 && !strings.HasSuffix(m.cmd.in.Value(), " ")
		if c, ok := lookupCommand(cs, fields[0]); ok && (!typing || c.name == fields[0]) {
			h := c.name + " " + c.args + " — " + c.doc
			if c.now != nil && m.eng != nil {
				h += " · now " + c.now(m)
			}
			return m.st.Muted.Render(h)
		}
		var match []string
		for _, c := range cs {
			if strings.HasPrefix(strings.ToLower(c.name), strings.ToLower(fields[0])) {
				match = append(match, c.name)
			}
		}
		if len(match) == 0 {
			return m.st.Warn.Render("no command " + strconv.Quote(fields[0]) + "; commands: " + commandNames(cs))
		}
		return m.st.Muted.Render("tab completes · " + strings.Join(match, " "))
	}
	return m.st.Muted.Render("commands: " + commandNames(cs) + " · tab completes · enter runs · esc closes")
}
