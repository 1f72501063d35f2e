package storage

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// The federation records are read back from files that may come from a
// restore upload (CheckBackup runs Verify over them): decoding must never
// panic and must be stable.

func FuzzDecodeActivity(f *testing.F) {
	a := sendActivity(f, "fz", "Follow")
	a.Published = testEpoch
	f.Add(encodeActivity(&a, 0))
	f.Add(encodeActivity(&a, 1<<40))
	f.Add([]byte{activityFormat, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{2})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, pos, err := decodeActivity(b)
		if err != nil {
			return
		}
		again, pos2, err := decodeActivity(encodeActivity(&a, pos))
		if err != nil || pos != pos2 || !sameActivity(a, again) {
			t.Fatalf("unstable activity: %+v vs %+v (%v)", a, again, err)
		}
	})
}

func sameActivity(a, b Activity) bool {
	if !a.Published.Equal(b.Published) {
		return false
	}
	a.Published, b.Published = time.Time{}, time.Time{}
	return string(a.Body) == string(b.Body) && a.IRI == b.IRI && a.Type == b.Type && a.Actor == b.Actor && a.ObjectIRI == b.ObjectIRI
}

func FuzzDecodeDelivery(f *testing.F) {
	d := Delivery{ID: deliveryID(7), ActivityIRI: localURIs.Activity("x"), Inbox: "http://127.0.0.3:8080/inbox", Host: "127.0.0.3:8080",
		Attempts: 3, Created: testEpoch, NextAttempt: testEpoch.Add(time.Minute), LastStatus: 503, LastError: "busy"}
	f.Add(encodeDelivery(&d))
	d.Dead, d.DeadReason = true, "410"
	f.Add(encodeDelivery(&d))
	f.Add([]byte{deliveryFormat, 1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeDelivery(b)
		if err != nil {
			return
		}
		again, err := decodeDelivery(encodeDelivery(&d))
		if err != nil || !reflect.DeepEqual(normalise(d), normalise(again)) {
			t.Fatalf("unstable delivery: %+v vs %+v (%v)", d, again, err)
		}
	})
}

func FuzzDecodeFollow(f *testing.F) {
	p := peer("127.0.0.3:8080", "fz", true, FollowAccepted)
	p.Since, p.Updated, p.Failures, p.LastError = testEpoch, testEpoch, 2, "timeout"
	f.Add(encodeFollow(&p))
	f.Add([]byte{followFormat, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeFollow(b)
		if err != nil {
			return
		}
		again, err := decodeFollow(encodeFollow(&p))
		if err != nil || !reflect.DeepEqual(normalise(p), normalise(again)) {
			t.Fatalf("unstable follow: %+v vs %+v (%v)", p, again, err)
		}
	})
}

func FuzzDecodeHost(f *testing.F) {
	f.Add(encodeHost(&hostRec{pending: 3, dead: 1, lastStatus: 429, lastError: "slow down", lastFailure: testEpoch}))
	f.Add(encodeHost(&hostRec{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := decodeHost(b)
		if err != nil {
			return
		}
		again, err := decodeHost(encodeHost(&h))
		if err != nil || h.pending != again.pending || h.dead != again.dead || h.lastStatus != again.lastStatus ||
			h.lastError != again.lastError || !h.lastFailure.Equal(again.lastFailure) || !h.lastSuccess.Equal(again.lastSuccess) {
			t.Fatalf("unstable host: %+v vs %+v (%v)", h, again, err)
		}
	})
}

// FuzzOutboxCursor feeds arbitrary cursors (they come from outbox page URLs).
func FuzzOutboxCursor(f *testing.F) {
	s := openTest(f, Options{NoSync: true})
	fx := newFixture()
	for i := range 5 {
		mustApply(f, s, publishOp(f, fx, "fz"+strconv.Itoa(i)))
	}
	for _, c := range []string{"", "1", "3", "6", "0", "-1", "18446744073709551615", "18446744073709551616", "007", "x"} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, c string) {
		items, next, total, err := s.Outbox(context.Background(), c, 2)
		if err != nil {
			if !errors.Is(err, ErrInvalidQuery) {
				t.Fatalf("cursor %q: %v", c, err)
			}
			return
		}
		if total != 5 || len(items) > 2 {
			t.Fatalf("cursor %q: %d items, total %d", c, len(items), total)
		}
		if c != "" {
			if _, err := strconv.ParseUint(c, 10, 64); err != nil {
				t.Fatalf("cursor %q accepted", c)
			}
		}
		if next != "" {
			if _, _, _, err := s.Outbox(context.Background(), next, 2); err != nil {
				t.Fatalf("next cursor %q of %q refused: %v", next, c, err)
			}
		}
	})
}
