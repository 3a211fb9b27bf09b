package runfolder

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Holder describes the process that holds a run folder's lock.
type Holder struct {
	PID  int    `json:"pid"`
	Host string `json:"host"`
	User string `json:"user,omitempty"`
	// Start is the process's start time in clock ticks since boot
	// (/proc/PID/stat field 22), so that a reused PID is not mistaken for
	// the holder; 0 where unknown.
	Start   uint64    `json:"proc_start,omitempty"`
	Since   time.Time `json:"since"`
	Command string    `json:"command,omitempty"`
	// SlurmJob and Restart are SLURM_JOB_ID and SLURM_RESTART_COUNT: Slurm
	// never runs two instances of one job, so a lock of the same job with a
	// lower restart count was left by a requeued instance.
	SlurmJob string `json:"slurm_job,omitempty"`
	Restart  int    `json:"slurm_restart,omitempty"`
}

func (h Holder) String() string {
	s := fmt.Sprintf("PID %d on %s", h.PID, h.Host)
	if h.SlurmJob != "" {
		s += " (Slurm job " + h.SlurmJob + ")"
	}
	if !h.Since.IsZero() {
		s += " since " + h.Since.Format("2006-01-02 15:04:05")
	}
	return s
}

// BusyError reports a run folder locked by a live process.
type BusyError struct {
	Dir    string
	Holder Holder
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("%s is in use by %s (%s); wait for that run to end, stop it, or choose another folder",
		e.Dir, e.Holder, LockFile)
}

// Staleness of a lock held on another host: the holder rewrites its lock
// every lockRefresh; one not rewritten for lockStale is taken to be
// left by a dead process (a node crash).
const (
	lockRefresh = 20 * time.Second
	lockStale   = 2 * time.Minute
)

// Lock is a held run folder lock.
type Lock struct {
	path    string
	content []byte
	stop    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

// Self describes this process as a lock holder.
func Self(command string) Holder {
	host, _ := os.Hostname()
	h := Holder{PID: os.Getpid(), Host: host, User: os.Getenv("USER"), Since: time.Now().UTC().Truncate(time.Second),
		Command: command, SlurmJob: os.Getenv("SLURM_JOB_ID")}
	h.Start = procStart(h.PID)
	h.Restart, _ = strconv.Atoi(os.Getenv("SLURM_RESTART_COUNT"))
	return h
}

// Acquire locks dir (which must exist) for this process. A lock left by a
// dead process (same host and the PID gone or reused; the same Slurm job
// requeued; on another host, not refreshed for two minutes) is taken
// over, and the returned note says so. A live holder gives a *BusyError.
func Acquire(dir string, self Holder) (l *Lock, note string, err error) {
	path := filepath.Join(dir, LockFile)
	content, err := json.Marshal(self)
	if err != nil {
		return nil, "", err
	}
	content = append(content, '\n')
	for attempt := 0; attempt < 3; attempt++ {
		switch err := linkNew(path, content); {
		case err == nil:
			l := &Lock{path: path, content: content, stop: make(chan struct{})}
			l.wg.Add(1)
			go l.refresh()
			return l, note, nil
		case !errors.Is(err, fs.ErrExist):
			return nil, "", fmt.Errorf("lock %s: %w", path, err)
		}
		old, holder, mtime, err := readLock(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // released meanwhile
		}
		if err != nil {
			// Unreadable or torn: judge it by its age alone.
			holder = Holder{PID: -1, Host: "?"}
		}
		why := stale(holder, mtime, self)
		if why == "" {
			return nil, "", &BusyError{Dir: dir, Holder: holder}
		}
		// Take it over: move the stale lock aside (atomic, so only one
		// contender succeeds) and check that what moved is what was judged.
		aside := tempName(path)
		if err := os.Rename(path, aside); err != nil {
			continue
		}
		moved, _ := os.ReadFile(aside)
		if !bytes.Equal(moved, old) {
			os.Rename(aside, path) // a live lock taken meanwhile: put it back
			continue
		}
		os.Remove(aside)
		note = fmt.Sprintf("took over the lock of %s: %s", holder, why)
	}
	return nil, "", fmt.Errorf("lock %s: contended; try again", path)
}

// linkNew creates path with content without ever replacing a file: a
// temporary file hard-linked to path (atomic and exclusive, also on NFS).
func linkNew(path string, content []byte) error {
	tmp := tempName(path)
	if err := os.WriteFile(tmp, content, 0o666); err != nil {
		return err
	}
	defer os.Remove(tmp)
	err := os.Link(tmp, path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links here: an exclusive create is the fallback.
		f, cerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if cerr != nil {
			return cerr
		}
		_, err = f.Write(content)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// readLock reads a lock file.
func readLock(path string) ([]byte, Holder, time.Time, error) {
	var h Holder
	st, err := os.Stat(path)
	if err != nil {
		return nil, h, time.Time{}, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, h, st.ModTime(), err
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return b, h, st.ModTime(), err
	}
	return b, h, st.ModTime(), nil
}

// ReadHolder returns the holder of dir's lock; ok is false when there is no
// lock or its holder is gone (the run is not running).
func ReadHolder(dir string) (h Holder, ok bool) {
	_, h, mtime, err := readLock(filepath.Join(dir, LockFile))
	if err != nil {
		return h, false
	}
	return h, stale(h, mtime, Self("")) == ""
}

// stale says why a lock is left by a dead process, or "" if its holder may
// be alive.
func stale(h Holder, mtime time.Time, self Holder) string {
	if h.PID == self.PID && h.Host == self.Host && h.Start == self.Start {
		return ""
	}
	if h.Host == self.Host && h.PID > 0 {
		switch {
		case !alive(h.PID):
			return fmt.Sprintf("process %d is gone", h.PID)
		case h.Start != 0 && procStart(h.PID) != 0 && procStart(h.PID) != h.Start:
			return fmt.Sprintf("process %d is another process now", h.PID)
		}
		return ""
	}
	if h.SlurmJob != "" && h.SlurmJob == self.SlurmJob && self.Restart > h.Restart {
		return fmt.Sprintf("Slurm requeued job %s (restart %d → %d)", h.SlurmJob, h.Restart, self.Restart)
	}
	if age := time.Since(mtime); age > lockStale {
		return fmt.Sprintf("not refreshed for %s (another host)", age.Round(time.Second))
	}
	return ""
}

// procStart is field 22 of /proc/PID/stat (start time in ticks after
// boot), or 0 where there is no /proc.
func procStart(pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields after its ")".
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0
	}
	v, _ := strconv.ParseUint(f[19], 10, 64)
	return v
}

// refresh rewrites the lock every lockRefresh, so that a viewer or a run
// on another host can tell a live holder from a crashed one.
func (l *Lock) refresh() {
	defer l.wg.Done()
	t := time.NewTicker(lockRefresh)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			// Rewritten in place (same inode, same bytes): the file
			// server sets the modification time.
			if f, err := os.OpenFile(l.path, os.O_WRONLY, 0); err == nil {
				f.WriteAt(l.content, 0)
				f.Close()
			}
		}
	}
}

// Release removes the lock if it is still this process's.
func (l *Lock) Release() {
	if l == nil {
		return
	}
	l.once.Do(func() {
		close(l.stop)
		l.wg.Wait()
		if b, err := os.ReadFile(l.path); err == nil && bytes.Equal(b, l.content) {
			os.Remove(l.path)
		}
	})
}
