package tui

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"syscall"
)

// EnvDebug names the environment variable that turns the debug log on:
// GPA_DEBUG=1 writes to debugLogName in the user's state folder
// ($XDG_STATE_HOME/gpa-tui, else ~/.local/state/gpa-tui); any other value
// is taken as the log file's path.
const EnvDebug = "GPA_DEBUG"

const debugLogName = "debug.log"

// openDebugLog opens the debug log for appending and sends the standard
// logger to it. It never follows a symbolic link at the file itself
// (O_NOFOLLOW: a link planted in a shared folder cannot redirect the log
// into another file), creates it 0600 and its folder 0700.
func openDebugLog(setting string) (*os.File, string, error) {
	path := setting
	if setting == "1" || setting == "true" {
		dir := os.Getenv("XDG_STATE_HOME")
		if dir == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return nil, "", fmt.Errorf("tui: debug log: %w", err)
			}
			dir = filepath.Join(home, ".local", "state")
		}
		dir = filepath.Join(dir, "gpa-tui")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, "", fmt.Errorf("tui: debug log: %w", err)
		}
		path = filepath.Join(dir, debugLogName)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, "", fmt.Errorf("tui: debug log %s: %w (a symbolic link is refused)", path, err)
	}
	log.SetOutput(f)
	log.SetPrefix("gpa-tui ")
	return f, path, nil
}
