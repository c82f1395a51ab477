package main

import (
	"debug/dwarf"
	"sort"
)

// origin is an abstract subprogram: what an inlined call or a concrete
// instance names through DW_AT_abstract_origin.
type origin struct {
	name string
	line int
}

// frame is a function body or an inlined call in it, over address ranges.
type frame struct {
	name     string
	line     int // the function's start line (DW_AT_decl_line)
	ranges   [][2]uint64
	depth    int // 0: the body itself
	parent   int // for an inlined call: the frame it is inlined into
	callLine int // and the line of the call there (DW_AT_call_line)
}

// body is one concrete function with the inlined calls inside it.
type body struct {
	lo, hi uint64
	frames []frame // the body first, then the inlined calls
}

type row struct {
	addr uint64
	line int
}

// functions reads every function name with its start line and the lines
// of its own code, attributing each line-table row to the innermost frame
// (body or inlined call) whose ranges hold the row's address.
func functions(d *dwarf.Data) (map[string]*function, error) {
	origins, err := abstractOrigins(d)
	if err != nil {
		return nil, err
	}
	bodies, rows, err := bodiesAndRows(d, origins)
	if err != nil {
		return nil, err
	}
	fns := map[string]*function{}
	for _, b := range bodies {
		attribute(fns, b, rows)
	}
	return fns, nil
}

func abstractOrigins(d *dwarf.Data) (map[dwarf.Offset]origin, error) {
	origins := map[dwarf.Offset]origin{}
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return origins, nil
		}
		if e.Tag == dwarf.TagSubprogram && e.Val(dwarf.AttrInline) != nil {
			name, _ := e.Val(dwarf.AttrName).(string)
			line, _ := e.Val(dwarf.AttrDeclLine).(int64)
			origins[e.Offset] = origin{name, int(line)}
		}
	}
}

// nameOf is an entry's own name and decl line, or its abstract origin's.
func nameOf(e *dwarf.Entry, origins map[dwarf.Offset]origin) (string, int) {
	if off, ok := e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
		o := origins[off]
		return o.name, o.line
	}
	name, _ := e.Val(dwarf.AttrName).(string)
	line, _ := e.Val(dwarf.AttrDeclLine).(int64)
	return name, int(line)
}

func bodiesAndRows(d *dwarf.Data, origins map[dwarf.Offset]origin) ([]*body, []row, error) {
	var bodies []*body
	var rows []row
	var cur *body
	// The open entries with children: for each, whether it is the current
	// body's subprogram, and how deep in inlined calls it is.
	type open struct {
		isBody bool
		depth  int
		frame  int // the innermost frame at this level, in cur.frames
	}
	var stack []open
	r := d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return nil, nil, err
		}
		if e == nil {
			break
		}
		if e.Tag == 0 {
			if n := len(stack); n > 0 {
				if stack[n-1].isBody {
					cur = nil
				}
				stack = stack[:n-1]
			}
			continue
		}
		depth, isBody, fr := 0, false, 0
		if n := len(stack); n > 0 {
			depth, fr = stack[n-1].depth, stack[n-1].frame
		}
		switch {
		case e.Tag == dwarf.TagCompileUnit:
			cuRows, err := unitRows(d, e)
			if err != nil {
				return nil, nil, err
			}
			rows = append(rows, cuRows...)
		case e.Tag == dwarf.TagSubprogram && e.Val(dwarf.AttrInline) == nil:
			if ranges, err := d.Ranges(e); err == nil && len(ranges) > 0 {
				name, line := nameOf(e, origins)
				cur = &body{lo: ranges[0][0], hi: ranges[0][1]}
				cur.frames = append(cur.frames, frame{name: name, line: line, ranges: ranges})
				bodies = append(bodies, cur)
				isBody, depth, fr = true, 0, 0
			}
		case e.Tag == dwarf.TagInlinedSubroutine && cur != nil:
			depth++
			if ranges, err := d.Ranges(e); err == nil {
				name, line := nameOf(e, origins)
				call, _ := e.Val(dwarf.AttrCallLine).(int64)
				cur.frames = append(cur.frames, frame{name, line, ranges, depth, fr, int(call)})
				fr = len(cur.frames) - 1
			}
		}
		if e.Children {
			stack = append(stack, open{isBody, depth, fr})
		} else if isBody {
			cur = nil
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].addr < rows[j].addr })
	return bodies, rows, nil
}

// unitRows are a compile unit's line-table rows: each holds from its
// address up to the next row's.
func unitRows(d *dwarf.Data, cu *dwarf.Entry) ([]row, error) {
	lr, err := d.LineReader(cu)
	if err != nil || lr == nil {
		return nil, err
	}
	var rows []row
	var le dwarf.LineEntry
	for {
		if err := lr.Next(&le); err != nil {
			break
		}
		if le.EndSequence {
			// The end closes the previous row: mark it with line -1.
			rows = append(rows, row{le.Address, -1})
			continue
		}
		rows = append(rows, row{le.Address, le.Line})
	}
	return rows, nil
}

func attribute(fns map[string]*function, b *body, rows []row) {
	at := func(addr uint64) int {
		return sort.Search(len(rows), func(i int) bool { return rows[i].addr >= addr })
	}
	lo, hi := at(b.lo), at(b.hi)
	owner := make([]int, hi-lo) // index into b.frames; 0: the body
	deepest := make([]int, hi-lo)
	for fi, f := range b.frames {
		note(fns, f, fi == 0)
		if fi == 0 {
			continue
		}
		caller := b.frames[f.parent]
		fns[caller.name].sites = append(fns[caller.name].sites,
			site{f.name, f.callLine - caller.line})
		for _, rg := range f.ranges {
			for i := max(at(rg[0]), lo); i < min(at(rg[1]), hi); i++ {
				if f.depth > deepest[i-lo] {
					owner[i-lo], deepest[i-lo] = fi, f.depth
				}
			}
		}
	}
	for i := lo; i < hi; i++ {
		if rows[i].line < 0 || (i+1 < len(rows) && rows[i+1].addr == rows[i].addr) {
			continue
		}
		f := b.frames[owner[i-lo]]
		fns[f.name].offsets[rows[i].line-f.line] = true
	}
}

type site struct {
	callee string
	offset int
}

func note(fns map[string]*function, f frame, host bool) {
	fn := fns[f.name]
	if fn == nil {
		fn = &function{name: f.name, startLine: f.line, offsets: map[int]bool{}}
		fns[f.name] = fn
	}
	if host {
		fn.host = true
	} else {
		fn.inlined = true
	}
}
