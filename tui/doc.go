// Package tui is the live workbench of gpa-tui: a Bubble Tea v2 program that
// shows the particles of a run (for GPA, the flow of paper eq. (11),
// Algorithm 1) moving toward the targets on a braille scatter plot, with
// sparklines of the metrics the method and the problem declare (for GPA the
// divergence estimate, kinetic energy (eq. (13)), MMD² and the largest
// particle speed against the speed limit L (Remark 4.1(c))), and lets the
// user steer the run: pause, single steps, the method's mid-run parameters
// (core.ParamTable: for GPA L, Δt, the learning rate δ and T_NN), presets,
// restarts and snapshots. Problems with images show the (decoded) particles
// as a grid of half-block images (images.go, halfblock.go); problems with a
// table (a gene run's comparison with ComBat) show it below the scatter
// (table.go). The workbench knows no data set: it draws what core.Problem
// declares.
//
// Structure (STYLE.md §7): one root model (model.go) routes messages; its
// state is grouped into the engine scheduler (scheduler.go: one engine
// command at a time, parameter changes queued meanwhile), what was read
// from the engine (rundata.go) and the screen. keyactions.go handles keys,
// keys.go holds the key map (parameter keys come from the run's table),
// styles.go the palette, layout.go the pure screen split, and each panel
// (plot.go, spark.go, params.go, presets.go, images.go, table.go) has
// SetSize, a redraw from its data, and View, which returns the cached
// string that the model's View joins. The engine commands live in
// engine.go; the slow copies (decoded images, the table) are made by them
// at a low rate (extras.go), and slow preparation reports its progress to
// the program (prepare.go). The TUI does no numerical work: the PCA view of
// d > 2 data is the problem's own projection.
package tui
