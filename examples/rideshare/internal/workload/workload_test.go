package workload

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestBatch(t *testing.T) {
	a, b := Batch(9, 500), Batch(9, 500)
	var kinds [NumKinds]int
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Body, b[i].Body) {
			t.Fatalf("request %d differs between two batches of the same seed", i)
		}
		if a[i].Body != nil && !json.Valid(a[i].Body) {
			t.Fatalf("request %d: invalid JSON %s", i, a[i].Body)
		}
		kinds[a[i].Kind]++
	}
	for k, n := range kinds {
		if n == 0 {
			t.Errorf("no %s request in 500", Kind(k))
		}
	}
	if c := Batch(10, 1); c[0].Path == a[0].Path && bytes.Equal(c[0].Body, a[0].Body) {
		t.Error("different seeds give the same request")
	}
}
