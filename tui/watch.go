package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/gpa-tui/gpa-tui/runfolder"
	"github.com/gpa-tui/gpa-tui/sweep"
)

// watchEvery is how often the task list is read again.
const watchEvery = time.Second

// WatchOptions configure gpa-tui watch.
type WatchOptions struct {
	Dir    string
	Metric string // followed in the sparklines ("mmd2")
	// Cursor is the task selected when the list opens.
	Cursor int
}

// Watch shows every task of a sweep, refreshed every second: state, step,
// D̂, MMD² and a sparkline of the followed metric. It returns the run
// folder of the task chosen with Enter (to attach to), or "" on quit, and
// the cursor.
func Watch(opts WatchOptions) (string, int, error) {
	sc, err := sweep.NewScanner(opts.Dir, opts.Metric)
	if err != nil {
		return "", 0, err
	}
	m := newWatchModel(sc.Scan, sc.Manifest.Preset, opts.Dir, sc.Metric)
	m.cursor = opts.Cursor
	m.tasks = sc.Scan()
	p := tea.NewProgram(m, tea.WithFPS(fps))
	fm, err := p.Run()
	if err != nil {
		return "", 0, fmt.Errorf("tui: %w", err)
	}
	wm := fm.(*watchModel)
	return wm.chosen, wm.cursor, nil
}

// watchModel is the sweep's task list.
type watchModel struct {
	scan   func() []sweep.TaskState
	preset string
	dir    string
	metric string
	st     Styles
	help   help.Model
	keys   watchKeys

	w, h   int
	tasks  []sweep.TaskState
	cursor int
	top    int // first row shown
	chosen string
	status string
	busy   bool // a scan is running
	tick   int  // the current tick's id (ticks carry it; older ones are dropped)
}

type watchKeys struct {
	Up, Down, PageUp, PageDown, Enter, Quit key.Binding
}

func (k watchKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Enter, k.Quit}
}
func (k watchKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func newWatchModel(scan func() []sweep.TaskState, preset, dir, metric string) *watchModel {
	m := &watchModel{scan: scan, preset: preset, dir: dir, metric: metric, st: newStyles(colorprofile.TrueColor), help: help.New(),
		keys: watchKeys{
			Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
			Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
			PageUp:   key.NewBinding(key.WithKeys("pgup")),
			PageDown: key.NewBinding(key.WithKeys("pgdown")),
			Enter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "attach")),
			Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c", "esc"), key.WithHelp("q", "quit")),
		}}
	m.help.Styles = m.st.Help
	return m
}

type watchTickMsg struct{ id int }
type watchScannedMsg struct{ tasks []sweep.TaskState }

func (m *watchModel) tickCmd() tea.Cmd {
	id := m.tick
	return tea.Tick(watchEvery, func(time.Time) tea.Msg { return watchTickMsg{id} })
}

func (m *watchModel) Init() tea.Cmd { return m.tickCmd() }

func (m *watchModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.help.SetWidth(m.w)
	case tea.ColorProfileMsg:
		m.st = newStyles(msg.Profile)
		m.help.Styles = m.st.Help
	case watchTickMsg:
		if msg.id != m.tick || m.busy {
			return m, nil
		}
		m.busy = true
		scan := m.scan
		return m, func() tea.Msg { return watchScannedMsg{scan()} }
	case watchScannedMsg:
		m.busy = false
		m.tasks = msg.tasks
		m.tick++
		return m, m.tickCmd()
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	return m, nil
}

func (m *watchModel) onKey(k tea.KeyPressMsg) tea.Cmd {
	n := len(m.tasks)
	rows := m.rows()
	switch {
	case key.Matches(k, m.keys.Quit):
		return tea.Quit
	case key.Matches(k, m.keys.Up):
		m.cursor = max(m.cursor-1, 0)
	case key.Matches(k, m.keys.Down):
		m.cursor = min(m.cursor+1, n-1)
	case key.Matches(k, m.keys.PageUp):
		m.cursor = max(m.cursor-rows, 0)
	case key.Matches(k, m.keys.PageDown):
		m.cursor = min(m.cursor+rows, n-1)
	case key.Matches(k, m.keys.Enter):
		if m.cursor < 0 || m.cursor >= n {
			return nil
		}
		t := m.tasks[m.cursor]
		if t.Holder == "" {
			m.status = fmt.Sprintf("task %d is %s: nothing runs to attach to", t.Task.Index, t.State)
			if t.State == runfolder.StateFinished {
				m.status += fmt.Sprintf(" (open it: gpa-tui --resume %s/final.npz)", t.Dir)
			}
			return nil
		}
		m.chosen = t.Dir
		return tea.Quit
	}
	m.status = ""
	return nil
}

// rows is the number of task rows on screen.
func (m *watchModel) rows() int { return max(m.h-5, 1) }

// View draws the list: a title, the column heads, one line per task, the
// status and the help.
func (m *watchModel) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "gpa-tui watch · " + m.dir
	if m.w == 0 {
		return v
	}
	counts := map[string]int{}
	for _, t := range m.tasks {
		counts[t.State]++
	}
	var summary []string
	for _, s := range []string{runfolder.StateRunning, runfolder.StatePaused, sweep.StateQueued, sweep.StatePending, runfolder.StateStopped,
		sweep.StateLost, runfolder.StateFinished, runfolder.StateDiverged, runfolder.StateFailed} {
		if c := counts[s]; c > 0 {
			summary = append(summary, fmt.Sprintf("%d %s", c, s))
		}
	}
	lines := []string{fitLine(" "+m.st.Title.Render("gpa-tui watch")+"  "+m.st.Value.Render(m.dir)+m.st.Muted.Render(
		fmt.Sprintf("  %s · %d tasks: %s", m.preset, len(m.tasks), strings.Join(summary, " · "))), m.w)}

	// Columns: marker, #, task, state, step, D̂, MMD², sparkline.
	const numW, stateW, stepW, valW = 4, 9, 13, 10
	labelW := 8
	for _, t := range m.tasks {
		labelW = max(labelW, len([]rune(t.Label)))
	}
	fixed := 2 + numW + stateW + stepW + 2*valW + 6
	labelW = min(labelW, max(m.w-fixed-12, 12))
	sparkW := max(m.w-fixed-labelW, 4)
	follow := m.metric
	if follow == "mmd2" {
		follow = "MMD² over the run (log)"
	}
	// padLeft right-aligns by display width ("D̂" is two runes, one cell).
	padLeft := func(s string, w int) string { return strings.Repeat(" ", max(w-lipgloss.Width(s), 0)) + s }
	head := fmt.Sprintf("  %*s %-*s %-*s ", numW-1, "#", labelW, "task", stateW, "state") +
		padLeft("step", stepW) + " " + padLeft("D̂", valW) + " " + padLeft("MMD²", valW) + "  " + follow
	lines = append(lines, fitLine(m.st.Label.Render(head), m.w))

	rows := m.rows()
	if m.cursor < m.top {
		m.top = m.cursor
	}
	if m.cursor >= m.top+rows {
		m.top = m.cursor - rows + 1
	}
	sp := spark{log: true}
	sp.SetSize(sparkW, 1)
	for i := m.top; i < min(m.top+rows, len(m.tasks)); i++ {
		t := m.tasks[i]
		mark := "  "
		if i == m.cursor {
			mark = m.st.Picked.Render("▸ ")
		}
		step := "–"
		if t.Step > 0 || t.Total > 0 {
			step = fmt.Sprint(t.Step)
			if t.Total > 0 {
				step += "/" + fmt.Sprint(t.Total)
			}
		}
		sp.values = t.Series
		bar := ""
		if len(t.Series) > 0 {
			bar = m.st.Spark.Render(sp.bars()[0])
		}
		label := []rune(t.Label)
		if len(label) > labelW {
			label = append(label[:labelW-1], '…')
		}
		line := mark + fmt.Sprintf("%*d %-*s ", numW-1, t.Task.Index, labelW, string(label)) +
			m.stateStyle(t.State).Render(fmt.Sprintf("%-*s", stateW, t.State)) +
			fmt.Sprintf(" %*s %*s %*s  ", stepW, step, valW, num(t.Divergence), valW, num(t.MMD2)) + bar
		lines = append(lines, fitLine(line, m.w))
	}
	for len(lines) < m.h-2 {
		lines = append(lines, "")
	}
	status := m.status
	if status == "" && m.cursor < len(m.tasks) {
		t := m.tasks[m.cursor]
		status = t.Dir
		if t.Holder != "" {
			status += " · " + t.Holder
		}
		if t.Queue != "" {
			status += " · Slurm: " + t.Queue
		}
		if t.Message != "" {
			status += " · " + t.Message
		}
	}
	lines = append(lines, fitLine(" "+m.st.Muted.Render(status), m.w), fitLine(" "+m.help.ShortHelpView(m.keys.ShortHelp()), m.w))
	v.SetContent(strings.Join(lines[:min(len(lines), m.h)], "\n"))
	return v
}

// stateStyle colours a task state.
func (m *watchModel) stateStyle(s string) lipgloss.Style {
	switch s {
	case runfolder.StateRunning, runfolder.StateFinished:
		return m.st.OK
	case runfolder.StatePaused, runfolder.StateStopped, sweep.StateLost:
		return m.st.Warn
	case runfolder.StateDiverged, runfolder.StateFailed:
		return m.st.Bad
	}
	return m.st.Muted
}

// num is fmtNum with "–" for NaN.
func num(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmtNum(v)
}
