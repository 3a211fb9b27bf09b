// Package tui is the live workbench of gpa-tui: a Bubble Tea v2 program that
// shows the particles of a GPA flow (paper eq. (11), Algorithm 1) moving
// toward the targets on a braille scatter plot, with sparklines of the
// divergence estimate, kinetic energy (eq. (13)), MMD² and the largest
// particle speed against the speed limit L (Remark 4.1(c)), and lets the
// user steer the run: pause, single steps, L, Δt, the learning rate δ and
// T_NN, presets, restarts and snapshots. Image runs show the (decoded)
// particles as a grid of half-block images (images.go, halfblock.go) and
// the classifier metrics; batch-merging runs compare the merge with ComBat
// and mean-centering (genetable.go).
//
// Structure (STYLE.md §7): one root model (model.go) routes messages;
// keys.go holds the key map, styles.go the palette, layout.go the pure
// screen split, and each panel (plot.go, spark.go, params.go, presets.go,
// images.go, genetable.go) renders into a cached string that View only
// joins. The engine runs in exactly one tea.Cmd at a time (engine.go);
// nothing else touches the Sim while it runs, and parameter changes made
// meanwhile are queued and applied between two step commands. The slow
// copies (decoded images, the gene comparison) are made by that command at
// a low rate (extras.go), and slow preparation reports its progress to the
// program (prepare.go). The TUI does no numerical work: the PCA view of
// d > 2 data comes from Options.PCA.
package tui
