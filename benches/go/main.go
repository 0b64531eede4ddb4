// Command gopool runs Go's classic worker-pool pattern (buffered job and result
// channels, N worker goroutines, a WaitGroup that closes the results channel)
// for the ringpool benchmark report, and prints machine-readable timings.
//
// Modes (one measurement per process; the report interleaves processes with
// its Rust peers):
//
//	gopool -mode tiny -workers 2 -jobs 200000 -queue 128
//	    jobs x*2, results drained by a collector goroutine while jobs are
//	    added; prints "ns=<elapsed> sum=<sum of results>" timed from the first
//	    AddJob until the last result was received (pool start excluded).
//	gopool -mode latency -workers 2 -jobs 300 -gap-us 200
//	    after 100 ms to settle, one job every gap; prints
//	    "lat_ns=<d1>,<d2>,..." (submit to result).
//	gopool -mode idle -workers 2 -idle-ms 1000
//	    an idle started pool; prints "cpu_ns=<user+sys during the idle time>".
//	gopool -mode spin -workers 2 -jobs 4000 -job-us 10
//	    CPU-bound jobs: a loop calibrated here to take job-us (after 50 ms of
//	    spinning, the fastest of nine probes), then as "tiny", but each job
//	    spins first; prints "ns=<elapsed> sum=<sum> iters=<spin iterations>".
//	    The first tenth of the jobs is an untimed warm-up.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// WorkerPool is that pattern, with a job of one integer and the
// handler x*2.
type WorkerPool struct {
	numWorkers int
	jobQueue   chan uint64
	results    chan uint64
	wg         sync.WaitGroup
}

func NewWorkerPool(numWorkers, jobQueueSize int) *WorkerPool {
	return &WorkerPool{
		numWorkers: numWorkers,
		jobQueue:   make(chan uint64, jobQueueSize),
		results:    make(chan uint64, jobQueueSize),
	}
}

func (wp *WorkerPool) worker() {
	defer wp.wg.Done()
	for job := range wp.jobQueue {
		if spinIters > 0 {
			spin(spinIters)
		}
		wp.results <- job * 2
	}
}

// spinIters is the CPU-bound work per job (0: tiny jobs).
var spinIters uint64

// sink keeps the spin loop from being optimised away.
var sink uint64

// spin runs iters dependent multiply-adds.
//
//go:noinline
func spin(iters uint64) {
	x := uint64(1)
	for i := uint64(0); i < iters; i++ {
		x = x*6364136223846793005 + i
	}
	sink += x
}

// calibrate returns the spin iterations that take target on this thread.
func calibrate(target time.Duration) uint64 {
	const probe = 1000000
	warm := time.Now()
	for time.Since(warm) < 50*time.Millisecond {
		spin(10000)
	}
	best := time.Duration(1 << 62)
	for i := 0; i < 9; i++ {
		t0 := time.Now()
		spin(probe)
		if d := time.Since(t0); d < best {
			best = d
		}
	}
	iters := uint64(float64(target) / (float64(best) / probe))
	if iters < 1 {
		iters = 1
	}
	return iters
}

func (wp *WorkerPool) Start() {
	for i := 1; i <= wp.numWorkers; i++ {
		wp.wg.Add(1)
		go wp.worker()
	}
}

func (wp *WorkerPool) AddJob(job uint64) { wp.jobQueue <- job }

// Wait closes the job queue, waits for the workers and closes the results.
func (wp *WorkerPool) Wait() {
	close(wp.jobQueue)
	wp.wg.Wait()
	close(wp.results)
}

func cpuNs() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fmt.Fprintln(os.Stderr, "getrusage:", err)
		os.Exit(1)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func main() {
	mode := flag.String("mode", "tiny", "tiny, latency or idle")
	workers := flag.Int("workers", 2, "worker goroutines")
	jobs := flag.Int("jobs", 100000, "jobs (tiny) or samples (latency)")
	queue := flag.Int("queue", 128, "job and result channel capacity")
	gapUs := flag.Int("gap-us", 200, "latency: pause before each job")
	idleMs := flag.Int("idle-ms", 1000, "idle: how long the pool sits idle")
	jobUs := flag.Int("job-us", 10, "spin: job time in microseconds")
	flag.Parse()
	if *mode == "spin" {
		spinIters = calibrate(time.Duration(*jobUs) * time.Microsecond)
	}

	wp := NewWorkerPool(*workers, *queue)
	wp.Start()
	switch *mode {
	case "spin":
		warmup := *jobs / 10
		done := make(chan uint64)
		go func() {
			var sum uint64
			for r := range wp.results {
				sum += r
			}
			done <- sum
		}()
		for i := 0; i < warmup; i++ {
			wp.AddJob(uint64(i))
		}
		// Timed from here; the warm-up jobs may still be finishing, which
		// only counts against this pool.
		start := time.Now()
		for i := 0; i < *jobs; i++ {
			wp.AddJob(uint64(i))
		}
		wp.Wait()
		sum := <-done
		elapsed := time.Since(start)
		fmt.Printf("ns=%d sum=%d iters=%d\n", elapsed.Nanoseconds(), sum, spinIters)
	case "tiny":
		done := make(chan uint64)
		start := time.Now()
		go func() {
			var sum uint64
			for r := range wp.results {
				sum += r
			}
			done <- sum
		}()
		for i := 0; i < *jobs; i++ {
			wp.AddJob(uint64(i))
		}
		wp.Wait()
		sum := <-done
		elapsed := time.Since(start)
		fmt.Printf("ns=%d sum=%d\n", elapsed.Nanoseconds(), sum)
	case "latency":
		// Settle first, as the Rust peers do (LATENCY_SETTLE in
		// benches/src/pools.rs): freshly started threads are not in
		// their steady state.
		time.Sleep(100 * time.Millisecond)
		lat := make([]string, 0, *jobs)
		for i := 0; i < *jobs; i++ {
			time.Sleep(time.Duration(*gapUs) * time.Microsecond)
			t0 := time.Now()
			wp.AddJob(uint64(i))
			<-wp.results
			lat = append(lat, fmt.Sprint(time.Since(t0).Nanoseconds()))
		}
		wp.Wait()
		fmt.Printf("lat_ns=%s\n", strings.Join(lat, ","))
	case "idle":
		time.Sleep(100 * time.Millisecond)
		c0 := cpuNs()
		t0 := time.Now()
		time.Sleep(time.Duration(*idleMs) * time.Millisecond)
		c1 := cpuNs()
		wall := time.Since(t0)
		wp.Wait()
		fmt.Printf("cpu_ns=%d wall_ns=%d\n", c1-c0, wall.Nanoseconds())
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", *mode)
		os.Exit(2)
	}
}
