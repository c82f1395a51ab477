package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"hash/crc32"
	"sync"
)

// Large bodies for the oversize and gzip_bomb faults. Both are made of
// protobuf that parses as far as it goes (string_table entries, field 6),
// so a client cannot rely on a parse error to stop early: it has to bound
// what it reads and what it inflates.

// fillerBlock is one 1 MiB string_table entry: tag 0x32, a 3-byte varint
// length, then 'a's.
var fillerBlock = func() []byte {
	const size = 1 << 20
	b := bytes.Repeat([]byte{'a'}, size)
	n := binary.PutUvarint(b[1:], size-4)
	if n != 3 {
		panic("filler varint length")
	}
	b[0] = 0x32
	return b
}()

// protoFiller is an endless reader of fillerBlocks.
type protoFiller struct{ off int }

func (f *protoFiller) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], fillerBlock[f.off:])
		n += c
		f.off = (f.off + c) % len(fillerBlock)
	}
	return n, nil
}

// bombCache builds each gzip bomb size once; they are a few MB each.
type bombCache struct {
	mu    sync.Mutex
	bombs map[int64][]byte
}

func (c *bombCache) get(size int64) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.bombs[size]; ok {
		return b
	}
	if c.bombs == nil {
		c.bombs = map[int64][]byte{}
	}
	b := makeGzipBomb(size)
	c.bombs[size] = b
	return b
}

// makeGzipBomb returns a gzip member that inflates to size bytes: a
// string_table tag and length, then 'a's (a single giant string).
//
// Compressing gigabytes would take seconds, so the deflate stream is built
// from repeats: once the compressor's window is all 'a's, each flushed chunk
// of further 'a's compresses to the same bytes (checked below), and a sync
// flush leaves the stream byte-aligned, so that chunk can be repeated as
// often as needed. Only the CRC has to see every inflated byte.
func makeGzipBomb(size int64) []byte {
	const chunk = 1 << 20
	header := stringFieldHeader(size)
	if size < 4*chunk {
		// Small bombs (tests) are simply compressed.
		return gzipBytes(bytes.Repeat([]byte{'a'}, int(size)), header)
	}

	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	as := bytes.Repeat([]byte{'a'}, chunk)
	emit := func(b []byte) []byte {
		start := out.Len()
		_, _ = zw.Write(b)
		_ = zw.Flush()
		return bytes.Clone(out.Bytes()[start:])
	}
	first := emit(append(bytes.Clone(header), as[len(header):]...))
	_ = emit(as) // lets the compressor reach its steady state
	rep := emit(as)
	if !bytes.Equal(rep, emit(as)) || !bytes.Equal(rep, emit(as)) {
		// Not steady: fall back to compressing everything (slow, correct).
		return gzipBytes(bytes.Repeat([]byte{'a'}, int(size)), header)
	}
	fullChunks := size / chunk // including the first
	tail := size % chunk
	last := emit(as[:tail])
	out.Reset()
	_ = zw.Close() // the final empty block (plus a trailer we replace)
	final := bytes.Clone(out.Bytes())
	final = final[:len(final)-8]

	crc := crc32.Update(0, crc32.IEEETable, append(bytes.Clone(header), as[len(header):]...))
	for range fullChunks - 1 {
		crc = crc32.Update(crc, crc32.IEEETable, as)
	}
	crc = crc32.Update(crc, crc32.IEEETable, as[:tail])

	var b bytes.Buffer
	b.Grow(int(int64(len(first)) + int64(len(rep))*fullChunks + 64))
	b.Write(first) // starts with the gzip header
	for range fullChunks - 1 {
		b.Write(rep)
	}
	b.Write(last)
	b.Write(final)
	b.Write(binary.LittleEndian.AppendUint32(nil, crc))
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(size)))
	return b.Bytes()
}

// stringFieldHeader returns the tag and length that make a string_table
// entry of exactly total bytes (tag + varint length + payload).
func stringFieldHeader(total int64) []byte {
	for n := 1; n <= binary.MaxVarintLen64; n++ {
		l := total - 1 - int64(n)
		if l >= 0 && len(binary.AppendUvarint(nil, uint64(l))) == n {
			return binary.AppendUvarint([]byte{0x32}, uint64(l))
		}
	}
	return []byte{0x32, 0}
}

// gzipBytes compresses data after overwriting its start with prefix.
func gzipBytes(data, prefix []byte) []byte {
	copy(data, prefix)
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	_, _ = zw.Write(data)
	_ = zw.Close()
	return out.Bytes()
}
