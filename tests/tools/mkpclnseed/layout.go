package main

import "sort"

// cut lays out a table holding only the functions at idx (old indexes),
// their pc tables and inline trees copied as they are, every offset into
// the table rewritten.
func (t *table) cut(idx []int) []byte {
	sort.Ints(idx)
	var names, pctab, tree []byte
	nameAt := map[string]uint32{}
	name := func(s string) uint32 {
		if at, ok := nameAt[s]; ok {
			return at
		}
		nameAt[s] = uint32(len(names))
		names = append(append(names, s...), 0)
		return nameAt[s]
	}
	pcAt := map[uint32]uint32{0: 0}
	pctab = append(pctab, 0)
	pc := func(old uint32) uint32 {
		if at, ok := pcAt[old]; ok {
			return at
		}
		pcAt[old] = uint32(len(pctab))
		pctab = append(pctab, t.pctab[old:int(old)+tableLen(t.pctab[old:])]...)
		return pcAt[old]
	}
	fns := make([]fn, len(idx))
	for i, old := range idx {
		fns[i] = t.function(old)
	}
	var recs [][]byte
	for _, f := range fns {
		rec := append([]byte(nil), f.rec...)
		o := t.order
		o.PutUint32(rec[4:], name(f.name))
		for k, at := range []int{16, 20, 24} {
			o.PutUint32(rec[at:], pc(f.tabs[k]))
		}
		rec[43] = 0
		for _, p := range f.pcdata {
			rec = t.appendU32(rec, pc(p))
		}
		at := ^uint32(0)
		if len(f.tree) > 0 {
			rec[43] = 4
			for len(tree)%4 != 0 {
				tree = append(tree, 0)
			}
			at = uint32(len(tree))
			for k := range f.inl {
				e := append([]byte(nil), f.tree[16*k:16*k+16]...)
				o.PutUint32(e[4:], name(f.inl[k]))
				tree = append(tree, e...)
			}
			for _, v := range []uint32{^uint32(0), ^uint32(0), ^uint32(0), at} {
				rec = t.appendU32(rec, v)
			}
		}
		recs = append(recs, rec)
	}
	return t.assemble(idx, names, pctab, recs, tree)
}

func align(n, a int) int { return (n + a - 1) / a * a }

func (t *table) appendU32(b []byte, v uint32) []byte {
	var w [4]byte
	t.order.PutUint32(w[:], v)
	return append(b, w[:]...)
}

// assemble writes header, funcnametab, cutab, filetab, pctab, functab and
// records, then go:func.*, each part where pcln.go puts it.
func (t *table) assemble(idx []int, names, pctab []byte, recs [][]byte, tree []byte) []byte {
	o, p := t.order, t.ptr
	hdr := 8 + 8*p
	off := []int{hdr, hdr + len(names), hdr + len(names) + len(t.cutab)}
	off = append(off, off[2]+len(t.files))
	off = append(off, align(off[3]+len(pctab), p))
	b := make([]byte, off[4])
	o.PutUint32(b, t.magic)
	b[6], b[7] = byte(t.quantum), byte(p)
	putw := func(at, v int) {
		if p == 4 {
			o.PutUint32(b[at:], uint32(v))
		} else {
			o.PutUint64(b[at:], uint64(v))
		}
	}
	putw(8, len(idx))
	putw(8+p, len(t.cutab)/4)
	for i, v := range off {
		putw(8+(3+i)*p, v)
	}
	copy(b[off[0]:], names)
	copy(b[off[1]:], t.cutab)
	copy(b[off[2]:], t.files)
	copy(b[off[3]:], pctab)
	ftab := make([]byte, align(8*len(idx)+4, p))
	for i, old := range idx {
		o.PutUint32(ftab[8*i:], t.u32(t.funcs[8*old:]))
		o.PutUint32(ftab[8*i+4:], uint32(len(ftab)))
		ftab = append(ftab, recs[i]...)
		for len(ftab)%p != 0 {
			ftab = append(ftab, 0)
		}
	}
	o.PutUint32(ftab[8*len(idx):], t.u32(t.funcs[8*(idx[len(idx)-1]+1):]))
	b = append(b, ftab...)
	return append(b, tree...)
}
