package api

import (
	"errors"

	"example.com/rideshare/internal/geo"
	"example.com/rideshare/internal/jsonx"
	"example.com/rideshare/internal/pricing"
)

var (
	errBadClass  = errors.New("unknown class")
	errBadID     = errors.New("malformed identifier")
	errBadPoint  = errors.New("coordinates out of range")
	errTooMany   = errors.New("too many elements")
	errMissing   = errors.New("missing field")
	errBadRiders = errors.New("riders must be 1..8")
)

// pointJSON decodes {"lat": .., "lon": ..}.
type pointJSON geo.Point

func (p *pointJSON) DecodeField(d *jsonx.Decoder, key []byte) {
	switch string(key) {
	case "lat":
		p.Lat = d.Float()
	case "lon", "lng":
		p.Lon = d.Float()
	default:
		d.Skip()
	}
}

func decodeClass(d *jsonx.Decoder) pricing.Class {
	c, ok := pricing.ParseClass(d.String())
	if !ok {
		d.Fail(errBadClass)
	}
	return c
}

func decodeID(d *jsonx.Decoder, prefix byte) uint64 {
	v, ok := parseID(d.String(), prefix)
	if !ok {
		d.Fail(errBadID)
	}
	return v
}

// quoteRequest is the body of POST /v1/quote.
type quoteRequest struct {
	Rider    uint64
	RiderKey uint64 // hash of the rider id, for experiments
	Pickup   geo.Point
	Dropoff  geo.Point
	Classes  [pricing.NumClasses]pricing.Class
	NClasses int
	Riders   int
	TS       int64
	Promo    []byte
	promoBuf [16]byte
	Route    bool
	hasPick  bool
	hasDrop  bool
}

func (q *quoteRequest) DecodeField(d *jsonx.Decoder, key []byte) {
	switch string(key) {
	case "rider":
		id := d.String()
		q.RiderKey = geo.FNV64aBytes(id)
		v, ok := parseID(id, 'r')
		if !ok {
			d.Fail(errBadID)
		}
		q.Rider = v
	case "pickup":
		d.Object((*pointJSON)(&q.Pickup))
		q.hasPick = true
	case "dropoff":
		d.Object((*pointJSON)(&q.Dropoff))
		q.hasDrop = true
	case "class":
		q.Classes[0] = decodeClass(d)
		q.NClasses = 1
	case "classes":
		q.NClasses = 0
		for more := d.BeginArray(); more; more = d.NextElement() {
			if q.NClasses == len(q.Classes) {
				d.Fail(errTooMany)
				return
			}
			q.Classes[q.NClasses] = decodeClass(d)
			q.NClasses++
		}
	case "riders":
		q.Riders = int(d.Int())
	case "ts":
		q.TS = d.Int()
	case "promo":
		q.Promo = append(q.promoBuf[:0], d.String()...)
	case "route":
		q.Route = d.Bool()
	default:
		d.Skip()
	}
}

func (q *quoteRequest) validate() error {
	if !q.hasPick || !q.hasDrop || q.NClasses == 0 {
		return errMissing
	}
	if !q.Pickup.Valid() || !q.Dropoff.Valid() {
		return errBadPoint
	}
	if q.Riders == 0 {
		q.Riders = 1
	}
	if q.Riders < 1 || q.Riders > 8 {
		return errBadRiders
	}
	return nil
}

// matchRequest is the body of POST /v1/match.
type matchRequest struct {
	Rider   uint64
	Pickup  geo.Point
	Class   pricing.Class
	Heading float64
	Radius  float64
	Limit   int
	hasPick bool
}

func (m *matchRequest) DecodeField(d *jsonx.Decoder, key []byte) {
	switch string(key) {
	case "rider":
		m.Rider = decodeID(d, 'r')
	case "pickup":
		d.Object((*pointJSON)(&m.Pickup))
		m.hasPick = true
	case "class":
		m.Class = decodeClass(d)
	case "heading":
		m.Heading = d.Float()
	case "radius_m":
		m.Radius = d.Float()
	case "limit":
		m.Limit = int(d.Int())
	default:
		d.Skip()
	}
}

func (m *matchRequest) validate() error {
	if !m.hasPick {
		return errMissing
	}
	if !m.Pickup.Valid() {
		return errBadPoint
	}
	if m.Radius <= 0 {
		m.Radius = 1500
	}
	if m.Radius > 5000 {
		m.Radius = 5000
	}
	if m.Limit <= 0 || m.Limit > 50 {
		m.Limit = 5
	}
	return nil
}

// updateJSON decodes one element of POST /v1/drivers/locations.
type updateJSON struct {
	u      updateFields
	hasPos int
}

type updateFields struct {
	Driver    uint64
	Lat, Lon  float64
	Heading   float64
	Speed     float64
	Available bool
}

func (u *updateJSON) DecodeField(d *jsonx.Decoder, key []byte) {
	switch string(key) {
	case "driver":
		u.u.Driver = decodeID(d, 'd')
	case "lat":
		u.u.Lat = d.Float()
		u.hasPos++
	case "lon", "lng":
		u.u.Lon = d.Float()
		u.hasPos++
	case "heading":
		u.u.Heading = d.Float()
	case "speed":
		u.u.Speed = d.Float()
	case "available":
		u.u.Available = d.Bool()
	default:
		d.Skip()
	}
}

// maxUpdates bounds the batch size of a location report.
const maxUpdates = 256
