package main

import (
	"bytes"
	"debug/macho"
	"encoding/binary"
	"fmt"
)

// machoCases damage a real 64-bit little-endian Mach-O file: its header,
// the load commands, the segment and the __go_buildinfo section.
func machoCases(prefix string, b []byte) {
	if _, err := macho.NewFile(bytes.NewReader(b)); err != nil {
		fatal(err)
	}
	le := binary.LittleEndian
	ncmds := int(le.Uint32(b[16:]))
	sizeofcmds := uint64(le.Uint32(b[20:]))
	// Find the segment and section headers by walking the load commands.
	var segHdr, sectHdr, sectOff uint64
	off := uint64(32)
	for i := 0; i < ncmds; i++ {
		cmd, cmdsize := le.Uint32(b[off:]), uint64(le.Uint32(b[off+4:]))
		if macho.LoadCmd(cmd) == macho.LoadCmdSegment64 {
			nsect := int(le.Uint32(b[off+64:]))
			for j := 0; j < nsect; j++ {
				s := off + 72 + uint64(j)*80
				if string(bytes.TrimRight(b[s:s+16], "\x00")) == "__go_buildinfo" {
					segHdr, sectHdr = off, s
					sectOff = uint64(le.Uint32(b[s+48:]))
				}
			}
		}
		off += cmdsize
	}
	if sectHdr == 0 {
		fatal(fmt.Errorf("%s: no __go_buildinfo section", prefix))
	}
	size := uint64(len(b))
	for _, n := range []struct {
		name string
		at   uint64
	}{
		{"trunc-16", 16},
		{"trunc-header", 28},
		{"trunc-cmds", 32 + sizeofcmds/2},
		{"trunc-buildinfo", sectOff},
		{"trunc-buildinfo-40", sectOff + 40},
		{"trunc-half", size / 2},
		{"trunc-end-1", size - 1},
	} {
		write(prefix+"-"+n.name, truncate(b, int(n.at)))
	}
	mut := func(name string, fn func(c []byte)) {
		c := clone(b)
		fn(c)
		write(prefix+"-"+name, c)
	}
	mut("ncmds-huge", func(c []byte) { le.PutUint32(c[16:], 0xffff) })
	mut("sizeofcmds-huge", func(c []byte) { le.PutUint32(c[20:], 0x7fffffff) })
	mut("sizeofcmds-small", func(c []byte) { le.PutUint32(c[20:], 8) })
	mut("first-cmdsize-zero", func(c []byte) { le.PutUint32(c[36:], 0) })
	mut("first-cmdsize-huge", func(c []byte) { le.PutUint32(c[36:], 0x7ffffff0) })
	mut("cputype-changed", func(c []byte) { le.PutUint32(c[4:], uint32(macho.CpuPpc64)) })
	mut("bi-renamed", func(c []byte) { c[sectHdr+13] = 'X' })
	mut("bi-size-zero", func(c []byte) { le.PutUint64(c[sectHdr+40:], 0) })
	mut("bi-size-huge", func(c []byte) { le.PutUint64(c[sectHdr+40:], 1<<40) })
	mut("bi-size-max", func(c []byte) { le.PutUint64(c[sectHdr+40:], ^uint64(0)) })
	mut("bi-addr-unmapped", func(c []byte) { le.PutUint64(c[sectHdr+32:], 0x10) })
	mut("bi-offset-past-end", func(c []byte) { le.PutUint32(c[sectHdr+48:], uint32(size+4096)) })
	mut("seg-fileoff-past-end", func(c []byte) { le.PutUint64(c[segHdr+40:], size+4096) })
	mut("seg-filesize-zero", func(c []byte) { le.PutUint64(c[segHdr+48:], 0) })
	mut("seg-filesize-huge", func(c []byte) { le.PutUint64(c[segHdr+48:], 1<<40) })
	mut("renamed-seg-readonly", func(c []byte) {
		c[sectHdr+13] = 'X'
		le.PutUint32(c[segHdr+56:], 1) // maxprot
		le.PutUint32(c[segHdr+60:], 1) // initprot
	})
	mut("nsects-huge", func(c []byte) { le.PutUint32(c[segHdr+64:], 0xffff) })
	inlineCases(prefix, b)
}

// fatCases wrap the thin file in universal headers that lie.
func fatCases(thin []byte) {
	be := binary.BigEndian
	cpu := binary.LittleEndian.Uint32(thin[4:])
	sub := binary.LittleEndian.Uint32(thin[8:])
	fat := func(arches ...[5]uint32) []byte {
		var h bytes.Buffer
		binary.Write(&h, be, uint32(macho.MagicFat))
		binary.Write(&h, be, uint32(len(arches)))
		for _, a := range arches {
			binary.Write(&h, be, a)
		}
		return h.Bytes()
	}
	at := func(hdr []byte, off int, bodies ...[]byte) []byte {
		out := append([]byte(nil), hdr...)
		for _, body := range bodies {
			out = append(out, make([]byte, off-len(out))...)
			out = append(out, body...)
			off = (len(out) + 0x3fff) &^ 0x3fff
		}
		return out
	}
	n := uint32(len(thin))
	const o = 0x4000
	write("fat-ok", at(fat([5]uint32{cpu, sub, o, n, 14}), o, thin))
	write("fat-zero-arches", at(fat(), 64))
	write("fat-narch-huge", append(fat([5]uint32{cpu, sub, o, n, 14}), thin[:1024]...))
	hdrHuge := fat([5]uint32{cpu, sub, o, n, 14})
	be.PutUint32(hdrHuge[4:], 0xffffffff)
	write("fat-narch-max", at(hdrHuge, o, thin))
	write("fat-offset-past-end", at(fat([5]uint32{cpu, sub, 1 << 30, n, 14}), 64))
	write("fat-size-past-end", at(fat([5]uint32{cpu, sub, o, n + 4096, 14}), o, thin))
	write("fat-size-zero", at(fat([5]uint32{cpu, sub, o, 0, 14}), o, thin))
	write("fat-duplicate-arch", at(fat([5]uint32{cpu, sub, o, n, 14}, [5]uint32{cpu, sub, o, n, 14}), o, thin))
	write("fat-cpu-mismatch", at(fat([5]uint32{uint32(macho.Cpu386), 3, o, n, 14}), o, thin))
	write("fat-slice-truncated", at(fat([5]uint32{cpu, sub, o, n, 14}), o, thin[:n/2]))
	write("fat-slice-not-macho", at(fat([5]uint32{cpu, sub, o, 4096, 14}), o, random(40, "", 4096)))
	f64 := at(fat([5]uint32{cpu, sub, o, n, 14}), o, thin)
	be.PutUint32(f64, macho.MagicFat+1) // 0xcafebabf: the 64-bit fat layout
	write("fat64-magic", f64)
	write("fat-trunc-8", truncate(f64, 8))
	write("fat-trunc-half", truncate(at(fat([5]uint32{cpu, sub, o, n, 14}), o, thin), int(o+n/2)))
}
