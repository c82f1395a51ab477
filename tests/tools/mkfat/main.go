// Command mkfat assembles a universal ("fat") Mach-O file from thin Mach-O
// files, in the order given: `go version` reads only the first one.
//
// Usage: mkfat -o OUT THIN…
package main

import (
	"bytes"
	"debug/macho"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
)

// Each slice starts on a 2^alignLog boundary, as lipo does for arm64.
const alignLog = 14

func main() {
	out := flag.String("o", "", "output file")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: mkfat -o OUT THIN...")
		os.Exit(2)
	}
	type slice struct {
		hdr  macho.FatArchHeader
		data []byte
	}
	var slices []slice
	for _, name := range flag.Args() {
		data, err := os.ReadFile(name)
		if err != nil {
			fatal(err)
		}
		f, err := macho.NewFile(bytes.NewReader(data))
		if err != nil {
			fatal(fmt.Errorf("%s: %v", name, err))
		}
		slices = append(slices, slice{
			hdr:  macho.FatArchHeader{Cpu: f.Cpu, SubCpu: f.SubCpu, Size: uint32(len(data)), Align: alignLog},
			data: data,
		})
	}

	var buf bytes.Buffer
	be := binary.BigEndian
	binary.Write(&buf, be, uint32(macho.MagicFat))
	binary.Write(&buf, be, uint32(len(slices)))
	off := uint32(8 + 20*len(slices))
	for i := range slices {
		off = (off + 1<<alignLog - 1) &^ (1<<alignLog - 1)
		slices[i].hdr.Offset = off
		off += slices[i].hdr.Size
		binary.Write(&buf, be, slices[i].hdr)
	}
	for _, s := range slices {
		buf.Write(make([]byte, int(s.hdr.Offset)-buf.Len()))
		buf.Write(s.data)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o755); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "mkfat:", err)
	os.Exit(1)
}
