package main

import "testing"

func BenchmarkServe(b *testing.B) {
	for b.Loop() {
		serve(1000)
	}
}
