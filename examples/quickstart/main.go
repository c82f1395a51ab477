// Command quickstart is the smallest program worth optimizing with a profile:
// it routes requests through an interface and hashes their payloads, the kind
// of hot path PGO inlines and devirtualizes.
package main

import (
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
)

type handler interface {
	handle(payload []byte) uint64
}

type hashHandler struct{ salt uint64 }

func (h hashHandler) handle(payload []byte) uint64 {
	f := fnv.New64a()
	f.Write(payload)
	return f.Sum64() ^ h.salt
}

type countHandler struct{}

func (countHandler) handle(payload []byte) uint64 {
	var n uint64
	for _, b := range payload {
		if b == ',' {
			n++
		}
	}
	return n
}

// serve runs n requests through the routing table and returns a checksum so
// the work cannot be optimized away.
func serve(n int) uint64 {
	routes := []handler{hashHandler{salt: 7}, countHandler{}}
	var sum uint64
	payload := []byte("ride,42,driver,17,lat,52.52,lon,13.40")
	for i := 0; i < n; i++ {
		payload[4] = byte('0' + i%10)
		sum += routes[i%len(routes)].handle(payload)
	}
	return sum
}

func main() {
	n := 1_000_000
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	fmt.Println(serve(n))
}
