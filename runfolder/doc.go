// Package runfolder is the folder a headless run writes (gpa-tui run --out
// DIR) and everything other processes do with it: the lock that keeps a
// second run out, the run's event log and status, the live state published
// for viewers (gpa-tui attach) and the control requests they send back.
//
// Layout of a run folder:
//
//	run.lock            the running process (PID, host, Slurm job); absent when none runs
//	preset.toml         the resolved preset
//	metrics.jsonl       one line per step (flushed about every 2 s)
//	events.jsonl        the run's log: start, resume, changes with their step, signals,
//	                    checkpoints, end (one JSON object per line)
//	status.json         state (running, paused, finished, stopped, diverged, failed),
//	                    step, rate, host, PID; rewritten at changes and with each progress line
//	checkpoint.npz      rolling and on-signal checkpoint (resumable)
//	final.npz           the state at the end
//	snapshot-stepN.npz  snapshots a viewer asked for
//	live/               only used while someone watches:
//	  viewers/ID        a viewer's heartbeat, rewritten every second
//	  control/NAME.json one control request (set, pause, resume, step, snapshot, stop)
//	  static.npz        what does not change during a run (targets, initial particles, metric
//	                    declarations, images' shape and labels)
//	  state.npz         the latest state (step, configuration, particles, events, acks, …)
//
// Nothing needs sockets or inotify: every file is written atomically (a
// temporary file and a rename) and read by polling, which works on shared
// file systems (NFS, Lustre) across nodes. The run looks for heartbeats and
// requests about once a second at a step boundary (two directory reads, the
// whole cost of not being watched) and publishes its state only while a
// heartbeat is fresh.
package runfolder
