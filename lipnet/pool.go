package lipnet

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Threads.
//
// The large matrix products (gemm), the convolutions (conv_implicit.go),
// large transposes and im2col copies, the optimizer updates and Normalize
// split their work over a persistent pool of worker goroutines: no
// goroutine is started and nothing is allocated per call. The split never
// changes a result: a product is split by rows (or columns) of its output,
// and every output element is still the same sum in the same order
// (kernel.go); the kernel gradient of a convolution by tiles of ∂ℓ/∂K
// within passes of fixed size, or (a short patch, conv_fused.go) by fixed
// groups of output pixels whose partial sums are added in a fixed order; Normalize by layers, each certified on its
// own from its own weights and power vectors, with work space that it
// overwrites before reading. So a net computes the same bits with any
// number of threads (TestThreadsBitIdentical).
//
// Workers spin for a short while (spinFor) after a job, so that the next
// product of a training step starts without a wake-up, then sleep with
// growing pauses (sleepMin … sleepMax), and after parkAfter without work
// block on a channel: a paused program burns no CPU. Every
// part of a job is claimed once, by its worker or, when the worker has not
// started it by the time the caller has finished its own part, by the
// caller itself: a sleeping or descheduled worker never holds up a job.
// One caller at a time uses the pool; a concurrent caller (another Net on
// another goroutine, or a product inside a parallel Normalize) runs its
// work on its own thread.
//
// Sleeping rather than blocking between the products of a running
// program keeps its steps free of allocations: a goroutine that blocks
// takes a sudog from the runtime's caches, which each garbage collection
// empties, so that the engine's latent step allocated one per step on two
// threads when workers blocked after spinFor (our measurement). Sleeping
// alone cost 1.4% of a core while idle (a wake-up every 5 ms), hence the
// blocking phase.

// spinFor is how long an idle worker polls for the next job before it
// sleeps: about the gap between two products of a training step.
const spinFor = 200 * time.Microsecond

// The pauses of a sleeping worker double from sleepMin to sleepMax; after
// parkAfter without work it blocks until the next job.
const (
	sleepMin  = 50 * time.Microsecond
	sleepMax  = 5 * time.Millisecond
	parkAfter = 50 * time.Millisecond
)

// parallelMinFlops is the smallest product (2·m·n·k flops) that is split:
// ≈ 10 µs on one core at 200 GFLOP/s, against ≈ 1 µs to hand a job to a
// spinning worker and collect it. The products of the four-well net
// (700×32×32, 1.4 MFLOP) stay on one thread.
const parallelMinFlops = 1 << 22

// job is work split into parts; run(part, parts) does one part. Part 0
// runs on the calling goroutine.
type job interface{ run(part, parts int) }

type worker struct {
	start    atomic.Uint64 // generation posted by the caller
	claim    atomic.Uint64 // generation claimed, by the worker or (cancelled) the caller
	done     atomic.Uint64 // generation finished by the worker
	sleeping atomic.Bool   // in the sleeping phase
	parked   atomic.Bool   // blocked on wake (TestWorkersPark)
	wake     chan struct{} // a token wakes a parked worker
	gen      uint64        // the caller's copy of start
	job      job           // written before start, read after a successful claim
	part     int
	parts    int
}

type pool struct {
	mu      sync.Mutex // held by the caller whose job is running
	threads atomic.Int32
	grow    sync.Mutex // serialises SetThreads
	workers []*worker  // len ≥ threads−1; written under mu and grow
	gemm    gemmJob    // the job of the one running product, under mu
	copy    copyJob    // the job of the one running transpose, under mu
}

var workPool pool

func init() { workPool.threads.Store(int32(max(1, runtime.GOMAXPROCS(0)))) }

// SetThreads sets the number of threads (the calling goroutine and n−1
// workers) that the products, convolutions, optimizer updates and
// Normalize of every Net use, and returns the previous number. n ≤ 0 means runtime.GOMAXPROCS(0), the default. Results
// are the same bits for every n. It is safe to call at any time from any
// goroutine; a product that is running finishes with the old number.
func SetThreads(n int) int {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	n = min(n, 256)
	return int(workPool.threads.Swap(int32(n)))
}

// Threads returns the number of threads set by SetThreads.
func Threads() int { return int(workPool.threads.Load()) }

// acquire locks the pool for a job of up to want parts and returns the
// number of parts to split it into: 1 (and the pool not locked) when only
// one thread is set or another caller holds the pool.
func (p *pool) acquire(want int) int {
	t := min(want, int(p.threads.Load()))
	if t <= 1 || !p.mu.TryLock() {
		return 1
	}
	if len(p.workers) < t-1 {
		p.grow.Lock()
		for len(p.workers) < t-1 {
			w := &worker{wake: make(chan struct{}, 1)}
			p.workers = append(p.workers, w)
			go w.loop()
		}
		p.grow.Unlock()
	}
	return t
}

// splitFor is the number of parts a job of flops floating-point
// operations is worth: every thread from parallelMinFlops on, else one.
func splitFor(flops float64) int {
	if flops >= parallelMinFlops {
		return Threads()
	}
	return 1
}

// runLocked runs j in parts parts, part 0 here, and unlocks the pool
// (acquire returned parts > 1). A part whose worker has not claimed it
// when part 0 is done runs here too.
func (p *pool) runLocked(j job, parts int) {
	ws := p.workers[:parts-1]
	for i, w := range ws {
		w.job, w.part, w.parts = j, i+1, parts
		w.gen++
		w.start.Store(w.gen)
		// The worker stores parked before it loads start, we store start
		// before we load parked (sequentially consistent atomics): either
		// it sees the new start or we leave it a token.
		if w.parked.Load() {
			select {
			case w.wake <- struct{}{}:
			default:
			}
		}
	}
	j.run(0, parts)
	for i, w := range ws {
		if w.claim.CompareAndSwap(w.gen-1, w.gen) {
			j.run(i+1, parts) // not started: ours now
		} else {
			for spin := 0; w.done.Load() != w.gen; spin++ {
				if spin&255 == 255 {
					runtime.Gosched() // with fewer Ps than threads, let the worker run
				}
			}
		}
		w.job = nil
	}
	p.mu.Unlock()
}

// run runs j in up to want parts and returns when all are done.
func (p *pool) run(j job, want int) {
	parts := p.acquire(want)
	if parts == 1 {
		j.run(0, 1)
		return
	}
	p.runLocked(j, parts)
}

// loop is a worker: wait for a generation, claim it, run its part.
func (w *worker) loop() {
	var seen uint64
	for {
		g := w.wait(seen)
		seen = g
		if w.claim.CompareAndSwap(g-1, g) {
			w.job.run(w.part, w.parts)
			w.done.Store(g)
		}
	}
}

// wait returns the first generation after seen: it polls for spinFor,
// sleeps with growing pauses until parkAfter, then blocks.
func (w *worker) wait(seen uint64) uint64 {
	idle := time.Now()
	pause := sleepMin
	for spin := 0; ; spin++ {
		if g := w.start.Load(); g != seen {
			w.sleeping.Store(false)
			return g
		}
		if spin&255 != 255 {
			continue
		}
		if !w.sleeping.Load() && time.Since(idle) < spinFor {
			runtime.Gosched()
			continue
		}
		if time.Since(idle) >= parkAfter {
			w.parked.Store(true)
			if w.start.Load() == seen {
				<-w.wake
			}
			w.parked.Store(false)
			continue
		}
		w.sleeping.Store(true)
		time.Sleep(pause)
		pause = min(2*pause, sleepMax)
	}
}

// gemmJob is one gemm call split over the pool by rows of C (byRows) or by
// column panels, in chunks that the threads claim (owned: each its own
// run first, then the others' leftovers): a thread that another process
// delays takes fewer chunks. Which thread runs a chunk does not change its
// bits.
type gemmJob struct {
	m, n, k  int
	a        []float32
	sai, sap int
	b        []float32
	ldb      int
	c        []float32
	ldc      int
	mode     int
	bias     []float32
	epi      int
	slope    float32
	h        []float32
	byRows   bool
	step     int // rows (a multiple of 8) or columns (of 32) per chunk
	chunks   int
	own      owned // which part claims which chunk
}

func (j *gemmJob) run(part, parts int) {
	for i := range j.own.claims(part, parts, j.chunks) {
		j.chunk(i)
	}
}

// maxOwned is the most parts whose chunks owned keeps apart.
const maxOwned = 8

// owned hands out the chunks of a job: part p first claims its own
// contiguous run of them, [p·chunks/parts, (p+1)·chunks/parts), in order,
// then those left in the other parts' runs. So a part computes the same
// rows of the same products from one call to the next (the rows of a
// layer's output that it wrote in the forward pass stay in its cache for
// the next layer and for the backward pass), while a part that is delayed
// (a parked worker, another process) still takes fewer chunks. Which part
// runs a chunk never changes its bits.
type owned struct {
	next [maxOwned]struct {
		n atomic.Int32 // chunks claimed in the run
		_ [60]byte     // one cache line each
	}
}

// ownedRun returns the run of chunks [lo, hi) that part owns (see owned).
func ownedRun(part, parts, chunks int) (lo, hi int) {
	runs := min(parts, maxOwned)
	if parts > maxOwned || part >= runs {
		return 0, 0
	}
	return part * chunks / runs, (part + 1) * chunks / runs
}

// claims yields the chunks that part claims (see owned); with more than
// maxOwned parts, all parts claim from one run.
func (o *owned) claims(part, parts, chunks int) func(func(int) bool) {
	return func(yield func(int) bool) {
		runs := min(parts, maxOwned)
		if parts > maxOwned {
			part = 0
		}
		for r := range runs {
			q := (part + r) % runs
			lo, hi := q*chunks/runs, (q+1)*chunks/runs
			for {
				i := lo + int(o.next[q].n.Add(1)) - 1
				if i >= hi {
					break
				}
				if !yield(i) {
					return
				}
			}
		}
	}
}

// chunk runs rows (or columns) i·step … (i+1)·step−1 of the product.
func (j *gemmJob) chunk(i int) {
	lo, hi := i*j.step, (i+1)*j.step
	if j.byRows {
		hi = min(j.m, hi)
		var h []float32
		if j.epi == epiMask {
			h = j.h[lo*j.ldc:]
		}
		gemmSerial(hi-lo, j.n, j.k, j.a[lo*j.sai:], j.sai, j.sap, j.b, j.ldb, j.c[lo*j.ldc:], j.ldc,
			j.mode, j.bias, j.epi, j.slope, h)
		return
	}
	hi = min(j.n, hi)
	var bias, h []float32
	if j.mode == modeBias {
		bias = j.bias[lo:]
	}
	if j.epi == epiMask {
		h = j.h[lo:]
	}
	var b []float32
	if j.k > 0 {
		b = j.b[lo:]
	}
	gemmSerial(j.m, hi-lo, j.k, j.a, j.sai, j.sap, b, j.ldb, j.c[lo:], j.ldc, j.mode, bias, j.epi, j.slope, h)
}

// splitsRows reports whether gemmSplit splits a product of m×n outputs
// and inner size k by rows over more than one thread.
func splitsRows(m, n, k int) bool {
	return 2*m*n*k >= parallelMinFlops && m >= 16 && Threads() > 1
}

// rowChunks returns the rows per chunk (whole 8-row tiles, about four
// chunks per part) and the number of chunks of a product of m rows split
// into parts parts.
func rowChunks(m, parts int) (step, chunks int) {
	step = max(1, (m/8+4*parts-1)/(4*parts)) * 8
	return step, (m + step - 1) / step
}

// gemmSplit runs gemm over the pool when it is large enough and returns
// false when it did not (the caller then runs it serially). Rows are split
// in multiples of the 8-row tile, columns in multiples of the 32-column
// panel, so each part runs the same tiles as the whole.
func gemmSplit(m, n, k int, a []float32, sai, sap int, b []float32, ldb int, c []float32, ldc int,
	mode int, bias []float32, epi int, slope float32, h []float32) bool {
	if 2*m*n*k < parallelMinFlops || Threads() <= 1 {
		return false
	}
	var byRows bool
	var want, step int
	switch {
	case m >= 16:
		want, byRows = m/8, true
	case n >= 64:
		want = n / 32
	default:
		return false
	}
	p := &workPool
	parts := p.acquire(want)
	if parts == 1 {
		return false
	}
	// About four chunks per thread, of whole tiles or panels.
	chunks := 0
	if byRows {
		step, chunks = rowChunks(m, parts)
	} else {
		step = max(1, (n/32+4*parts-1)/(4*parts)) * 32
		chunks = (n + step - 1) / step
	}
	p.gemm = gemmJob{m: m, n: n, k: k, a: a, sai: sai, sap: sap, b: b, ldb: ldb, c: c, ldc: ldc,
		mode: mode, bias: bias, epi: epi, slope: slope, h: h, byRows: byRows, step: step, chunks: chunks}
	p.runLocked(&p.gemm, parts)
	p.gemm = gemmJob{} // drop the references to the caller's slices
	return true
}

// Kinds of copyJob.
const (
	copyTranspose = iota
	copyIm2col
	copyCol2im
)

// copyJob is a memory-bound copy split over the pool in chunks the threads
// claim in turn: a transpose by columns of the source, im2col and col2im
// by samples (their rows of cols, and of dx, are disjoint).
type copyJob struct {
	kind       int
	dst, src   []float32
	rows, cols int
	c          *conv
	step       int
	chunks     int
	own        owned
}

func (j *copyJob) run(part, parts int) {
	for i := range j.own.claims(part, parts, j.chunks) {
		lo := i * j.step
		switch j.kind {
		case copyTranspose:
			transposeCols32(j.dst, j.src, j.rows, j.cols, lo, min(lo+j.step, j.cols))
		case copyIm2col:
			j.c.im2colRange(j.src, lo, min(lo+j.step, j.rows))
		case copyCol2im:
			j.c.col2imRange(j.dst, lo, min(lo+j.step, j.rows))
		}
	}
}

// start runs j over the pool (j is not the pool's own job).
func (j *copyJob) start(n, q int) {
	parts := workPool.acquire(Threads())
	j.split(n, q, parts)
	if parts == 1 {
		j.run(0, 1)
		return
	}
	workPool.runLocked(j, parts)
}

// split cuts n units (columns or samples) into about four chunks per part,
// each a multiple of q.
func (j *copyJob) split(n, q, parts int) {
	j.step = max(1, (n/q+4*parts-1)/(4*parts)) * q
	j.chunks = (n + j.step - 1) / j.step
}

// parallelTranspose is transpose32 over the threads, in the pool's own
// job once the pool is held.
func parallelTranspose(dst, src []float32, rows, cols int) {
	p := &workPool
	parts := p.acquire(Threads())
	if parts == 1 {
		transposeCols32(dst, src, rows, cols, 0, cols)
		return
	}
	j := &p.copy
	*j = copyJob{kind: copyTranspose, dst: dst, src: src, rows: rows, cols: cols}
	j.split(cols, 8, parts)
	p.runLocked(j, parts)
	*j = copyJob{}
}
