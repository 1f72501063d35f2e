package storage

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/interlink-project/interlink-node/protocol"
)

// On-disk encodings of the delivery queue (see doc.go).

func encodeHost(h *hostRec) []byte {
	b := make([]byte, 0, 48+len(h.lastError))
	b = append(b, hostFormat)
	b = binary.AppendUvarint(b, uint64(h.pending))
	b = binary.AppendUvarint(b, uint64(h.dead))
	b = binary.AppendUvarint(b, uint64(h.lastStatus))
	b = appendStr(b, h.lastError)
	b = appendTime(b, h.lastFailure)
	return appendTime(b, h.lastSuccess)
}

func decodeHost(v []byte) (hostRec, error) {
	var h hostRec
	r := reader{b: v}
	if f := r.byte(); r.err == nil && f != hostFormat {
		return h, fmt.Errorf("%w: unknown host format %d", errCorrupt, f)
	}
	p, d, st := r.uvarint(), r.uvarint(), r.uvarint()
	if p > 1<<62 || d > 1<<62 || st > 999 {
		r.fail()
	}
	h.pending, h.dead, h.lastStatus = int64(p), int64(d), int(st)
	h.lastError = r.str()
	h.lastFailure = zeroIsZero(r.time())
	h.lastSuccess = zeroIsZero(r.time())
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	if r.err != nil {
		return hostRec{}, r.err
	}
	return h, nil
}

// encodeDelivery: format, flags (dead), attempts, id, activity, inbox,
// host, created, next attempt, last status, last error, dead reason.
func encodeDelivery(d *Delivery) []byte {
	b := make([]byte, 0, 64+len(d.ID)+len(d.ActivityIRI)+len(d.Inbox)+len(d.Host)+len(d.LastError)+len(d.DeadReason))
	b = append(b, deliveryFormat)
	var flags byte
	if d.Dead {
		flags |= flagDead
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(d.Attempts))
	b = appendStr(b, d.ID)
	b = appendStr(b, d.ActivityIRI)
	b = appendStr(b, d.Inbox)
	b = appendStr(b, d.Host)
	b = appendTime(b, d.Created)
	b = appendTime(b, d.NextAttempt)
	b = binary.AppendUvarint(b, uint64(d.LastStatus))
	b = appendStr(b, d.LastError)
	return appendStr(b, d.DeadReason)
}

func decodeDelivery(v []byte) (Delivery, error) {
	var d Delivery
	r := reader{b: v}
	if f := r.byte(); r.err == nil && f != deliveryFormat {
		return d, fmt.Errorf("%w: unknown delivery format %d", errCorrupt, f)
	}
	d.Dead = r.byte()&flagDead != 0
	att := r.uvarint()
	d.ID = r.str()
	d.ActivityIRI = r.str()
	d.Inbox = r.str()
	d.Host = r.str()
	d.Created = r.time()
	d.NextAttempt = r.time()
	st := r.uvarint()
	d.LastError = r.str()
	d.DeadReason = r.str()
	if att > 1<<31 || st > 999 {
		r.fail()
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	if r.err != nil {
		return Delivery{}, r.err
	}
	d.Attempts, d.LastStatus = int(att), int(st)
	return d, nil
}

func deliveryID(n uint64) string { return fmt.Sprintf("%016x", n) }

func checkDeliveryID(id string) error {
	if len(id) != deliveryIDLen {
		return fmt.Errorf("%w: delivery id %q is not %d hex digits", ErrInvalidQuery, protocol.Clip(id, 40), deliveryIDLen)
	}
	if _, err := hex.DecodeString(id); err != nil {
		return fmt.Errorf("%w: delivery id %q is not %d hex digits", ErrInvalidQuery, id, deliveryIDLen)
	}
	return nil
}

// dueKey: be64(next attempt, Unix ns) + id.
func dueKey(t time.Time, id string) []byte {
	return append(be64(nanos(t)), id...)
}

// hostQueueKey: str(host) + id.
func hostQueueKey(host, id string) []byte { return append(appendStr(nil, host), id...) }

// pendingKey: str(activity) + inbox.
func pendingKey(activity, inbox string) []byte { return append(appendStr(nil, activity), inbox...) }

// zeroIsZero maps the decoded zero time to time.Time{} (IsZero either way,
// but == and reflect.DeepEqual see the difference).
func zeroIsZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t
}
