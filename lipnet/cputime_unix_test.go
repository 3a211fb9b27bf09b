//go:build unix

package lipnet

import "syscall"

// processCPU returns the CPU time of the process (user + system) in
// seconds: a benchmark's own time when other load on the machine makes
// its wall time noisy (run it on one thread, under taskset).
func processCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
