package main

import "time"

// run alternates the hot loops until d has passed. The split of work is
// deliberately uneven (hash > sort > matrix, roughly 55/30/15) so the
// profile has a stable order of top functions that tests can check.
//
// Each loop does its work in its own body rather than in library calls, so
// the CPU time is flat in the hot function itself: it then survives the
// go-pgo reduction (which keeps only the few leaf-most frames) and leads
// `go tool pprof -top` of the fetched profile.
func run(d time.Duration) uint64 {
	var sum uint64
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		sum += hotHashLoop(90000)
		sum += hotSortLoop(3600)
		sum += hotMatrixLoop(84)
	}
	return sum
}

// hotHashLoop runs FNV-1a over a rolling buffer.
//
//go:noinline
func hotHashLoop(n int) uint64 {
	var buf [64]byte
	h := uint64(14695981039346656037)
	for i := range n {
		buf[i&63] = byte(h >> 7)
		for _, b := range buf[:16] {
			h ^= uint64(b)
			h *= 1099511628211
		}
	}
	return h
}

// hotSortLoop insertion-sorts pseudo-random numbers (quadratic on purpose:
// a small input gives a lot of flat time).
//
//go:noinline
func hotSortLoop(n int) uint64 {
	xs := make([]uint64, n)
	x := uint64(88172645463325252)
	for i := range xs {
		x = xorshift(x)
		xs[i] = x
	}
	for i := 1; i < len(xs); i++ {
		v := xs[i]
		j := i
		for j > 0 && xs[j-1] > v {
			xs[j] = xs[j-1]
			j--
		}
		xs[j] = v
	}
	return xs[n/2]
}

// hotMatrixLoop multiplies two n×n matrices.
//
//go:noinline
func hotMatrixLoop(n int) uint64 {
	a := make([]uint64, n*n)
	b := make([]uint64, n*n)
	c := make([]uint64, n*n)
	x := uint64(2463534242)
	for i := range a {
		x = xorshift(x)
		a[i], b[i] = x, x>>3
	}
	for i := range n {
		for j := range n {
			var s uint64
			for k := range n {
				s += a[i*n+k] * b[k*n+j]
			}
			c[i*n+j] = s
		}
	}
	return c[n+1]
}

// xorshift is small enough to be inlined into its callers, which gives the
// profile inlined frames (locations with several lines), as real services
// have.
func xorshift(x uint64) uint64 {
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	return x
}
