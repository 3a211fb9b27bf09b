package runfolder_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
	"github.com/gpa-tui/gpa-tui/runfolder"
)

// benchSim builds the run of a preset for the benchmarks.
func benchSim(b *testing.B, preset string, sets ...string) *core.Sim {
	cfg, err := presets.Load(preset, sets)
	if err != nil {
		b.Fatal(err)
	}
	sim, err := experiments.Build(cfg, experiments.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return sim
}

// BenchmarkLive measures what the live protocol costs a run: steps with
// Poll at every boundary, unwatched, and watched (a heartbeat rewritten
// every second, as a viewer does: the run then publishes its state). Run
// it long enough for several publishes, e.g.
//
//	go test ./runfolder -run '^$' -bench Live -benchtime 4000x -count 5
func BenchmarkLive(b *testing.B) {
	for _, tc := range []struct {
		name, preset string
		sets         []string
	}{
		{"four-well", "four-well-L1", nil},
		// An image run in a PCA latent space: every publish decodes the
		// 600 particles to 784 pixels (no classifier: metrics off).
		{"mnist-latent-pca", "mnist-latent-200", []string{"latent.kind=pca", "latent.dim=32", "flow.metrics_every=0"}},
	} {
		for _, watched := range []bool{false, true} {
			name := tc.name + "/unwatched"
			if watched {
				name = tc.name + "/watched"
			}
			b.Run(name, func(b *testing.B) {
				sim := benchSim(b, tc.preset, tc.sets...)
				dir := b.TempDir()
				live, err := runfolder.NewLive(dir, sim, nil, 1<<30)
				if err != nil {
					b.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if watched {
					hb := filepath.Join(dir, runfolder.ViewersDir, "bench")
					go func() {
						for n := 0; ctx.Err() == nil; n++ {
							os.WriteFile(hb, []byte{byte(n)}, 0o666)
							time.Sleep(time.Second)
						}
					}()
					time.Sleep(50 * time.Millisecond)
				}
				publishes := 0
				// The time inside Poll (reading heartbeats and requests,
				// publishing) against the whole: robust to the load of a
				// shared machine, which blurs steps/s by ±30 %.
				var inLive time.Duration
				b.ResetTimer()
				for range b.N {
					t0 := time.Now()
					live.Poll()
					inLive += time.Since(t0)
					if _, err := sim.Step(); err != nil {
						b.Fatal(err)
					}
					live.Stepped()
				}
				b.StopTimer()
				b.ReportMetric(100*inLive.Seconds()/b.Elapsed().Seconds(), "%live")
				if st, err := os.Stat(filepath.Join(dir, runfolder.StateFile)); err == nil {
					_ = st
					publishes = 1
				}
				if watched != (publishes == 1) {
					b.Fatalf("watched %v, state published %v", watched, publishes == 1)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
	}
}

// BenchmarkRefresh measures, with a run stepping on one goroutine and a
// viewer on another, how old the state is when the viewer reads it (the
// refresh latency of the screen, publish interval included) and how long
// a request takes from the key to the run's acknowledgement.
func BenchmarkRefresh(b *testing.B) {
	cfg, _ := presets.Load("four-well-L1", nil)
	sim, err := experiments.Build(cfg, experiments.Options{})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	lock, _, err := runfolder.Acquire(dir, runfolder.Self("bench"))
	if err != nil {
		b.Fatal(err)
	}
	defer lock.Release()
	live, _ := runfolder.NewLive(dir, sim, nil, 1<<30)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			live.Poll()
			sim.Step()
			live.Stepped()
		}
	}()
	defer func() { cancel(); <-done }()
	v, err := runfolder.Attach(dir, 10*time.Second, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	var ages, acks []time.Duration
	b.ResetTimer()
	for i := range b.N {
		// The age of what the screen shows, read right after each load.
		for range 8 {
			v.Advance(1)
			ages = append(ages, time.Since(v.Info().Time))
		}
		t0 := time.Now()
		if err := v.Set("L", float64(1+i%2)); err != nil {
			b.Fatal(err)
		}
		acks = append(acks, time.Since(t0))
	}
	b.StopTimer()
	med := func(d []time.Duration) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[len(d)/2]
	}
	p90 := func(d []time.Duration) time.Duration { return d[len(d)*9/10] }
	b.ReportMetric(float64(med(ages))/1e6, "age-median-ms")
	b.ReportMetric(float64(p90(ages))/1e6, "age-p90-ms")
	b.ReportMetric(float64(med(acks))/1e6, "ack-median-ms")
	b.ReportMetric(float64(p90(acks))/1e6, "ack-p90-ms")
}
