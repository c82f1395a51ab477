package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// A small parser for Prometheus-style label selectors such as
// {service_name="x",region=~"eu-.*"}. Pyroscope uses Prometheus' own parser;
// we only need the matcher subset, and writing it here keeps the server free
// of that dependency. It is deliberately as strict as the real one on the
// points a client can get wrong: an empty selector and a selector whose
// matchers all match the empty string are rejected.

type matchOp int

const (
	opEqual matchOp = iota
	opNotEqual
	opRegexp
	opNotRegexp
)

func (o matchOp) String() string {
	return [...]string{"=", "!=", "=~", "!~"}[o]
}

// Matcher is one name-op-value term of a selector.
type Matcher struct {
	Name  string
	Op    matchOp
	Value string
	re    *regexp.Regexp
}

// Matches reports whether the label value v satisfies the matcher. An absent
// label has the value "" (Prometheus semantics: {k=""} selects series
// without k).
func (m *Matcher) Matches(v string) bool {
	switch m.Op {
	case opEqual:
		return v == m.Value
	case opNotEqual:
		return v != m.Value
	case opRegexp:
		return m.re.MatchString(v)
	default:
		return !m.re.MatchString(v)
	}
}

// Selector is a conjunction of matchers.
type Selector []*Matcher

// Matches reports whether the label set given by get satisfies every matcher.
func (s Selector) Matches(get func(name string) string) bool {
	for _, m := range s {
		if !m.Matches(get(m.Name)) {
			return false
		}
	}
	return true
}

// ParseSelector parses `{name op "value", ...}`.
func ParseSelector(input string) (Selector, error) {
	p := &selParser{s: input}
	sel, err := p.parse()
	if err != nil {
		return nil, fmt.Errorf("invalid label selector %q: %w", input, err)
	}
	return sel, nil
}

type selParser struct {
	s   string
	pos int
}

func (p *selParser) parse() (Selector, error) {
	p.skipSpace()
	if !p.consume("{") {
		return nil, p.errorf("expected '{'")
	}
	var sel Selector
	for {
		p.skipSpace()
		if p.consume("}") {
			break
		}
		m, err := p.matcher()
		if err != nil {
			return nil, err
		}
		sel = append(sel, m)
		p.skipSpace()
		if p.consume(",") {
			continue
		}
		if p.consume("}") {
			break
		}
		return nil, p.errorf("expected ',' or '}'")
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return nil, p.errorf("unexpected text after '}'")
	}
	for _, m := range sel {
		if !m.Matches("") {
			return sel, nil
		}
	}
	return nil, fmt.Errorf("selector must contain at least one matcher that does not match the empty string")
}

func (p *selParser) matcher() (*Matcher, error) {
	name, err := p.name()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	m := &Matcher{Name: name}
	switch {
	case p.consume("=~"):
		m.Op = opRegexp
	case p.consume("!~"):
		m.Op = opNotRegexp
	case p.consume("!="):
		m.Op = opNotEqual
	case p.consume("="):
		m.Op = opEqual
	default:
		return nil, p.errorf("expected one of = != =~ !~")
	}
	p.skipSpace()
	if m.Value, err = p.quoted(); err != nil {
		return nil, err
	}
	if m.Op == opRegexp || m.Op == opNotRegexp {
		// Prometheus anchors regular expressions at both ends.
		if m.re, err = regexp.Compile("^(?:" + m.Value + ")$"); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// name reads a label name: an identifier (dots allowed, as the SDK's
// otel.scope.name tags have them) or a quoted string.
func (p *selParser) name() (string, error) {
	if p.pos < len(p.s) && strings.ContainsRune("\"'`", rune(p.s[p.pos])) {
		return p.quoted()
	}
	start := p.pos
	for p.pos < len(p.s) {
		r := rune(p.s[p.pos])
		if r == '_' || r == '.' || r < unicode.MaxASCII && (unicode.IsLetter(r) || p.pos > start && unicode.IsDigit(r)) {
			p.pos++
			continue
		}
		break
	}
	if p.pos == start {
		return "", p.errorf("expected a label name")
	}
	return p.s[start:p.pos], nil
}

// quoted reads a "double", 'single' or `raw` quoted string with Go escapes.
func (p *selParser) quoted() (string, error) {
	if p.pos >= len(p.s) {
		return "", p.errorf("expected a quoted string")
	}
	q := p.s[p.pos]
	if q != '"' && q != '\'' && q != '`' {
		return "", p.errorf("expected a quoted string")
	}
	end := p.pos + 1
	for end < len(p.s) && p.s[end] != q {
		if p.s[end] == '\\' && q != '`' {
			end++
		}
		end++
	}
	if end >= len(p.s) {
		return "", p.errorf("unterminated string")
	}
	lit := p.s[p.pos : end+1]
	p.pos = end + 1
	if q == '\'' {
		// strconv.Unquote takes single quotes for one rune only.
		lit = `"` + strings.ReplaceAll(strings.ReplaceAll(lit[1:len(lit)-1], `\'`, `'`), `"`, `\"`) + `"`
	}
	v, err := strconv.Unquote(lit)
	if err != nil {
		return "", p.errorf("bad string %s", lit)
	}
	return v, nil
}

func (p *selParser) skipSpace() {
	for p.pos < len(p.s) && unicode.IsSpace(rune(p.s[p.pos])) {
		p.pos++
	}
}

func (p *selParser) consume(tok string) bool {
	if strings.HasPrefix(p.s[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

func (p *selParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}
