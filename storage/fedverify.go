package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"
	"strconv"

	"go.etcd.io/bbolt"
)

// verifyFederation checks the federation buckets: activities and the
// outbox, the delivery queue and its indexes, host counters, the follow
// graph with its counters and fan-out set, and inbox de-duplication.
func verifyFederation(ctx context.Context, tx *bbolt.Tx, report func(format string, args ...any)) error {
	// Activities and the outbox.
	outboxAt := map[uint64]string{}
	var nOutbox uint64
	err := tx.Bucket(bActivities).ForEach(func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		a, pos, err := decodeActivity(v)
		switch {
		case err != nil:
			report("activity %s: %v", k, err)
		case a.IRI != string(k):
			report("activity %s: record says %s", k, a.IRI)
		case pos > 0:
			outboxAt[pos] = a.IRI
		}
		return nil
	})
	if err != nil {
		return err
	}
	outboxSeq := counterTx(tx, mOutboxSeq)
	_ = tx.Bucket(bOutbox).ForEach(func(k, v []byte) error {
		nOutbox++
		if len(k) != 8 {
			report("outbox key %x is not a position", k)
			return nil
		}
		pos := binary.BigEndian.Uint64(k)
		if pos > outboxSeq {
			report("outbox position %d above the outbox sequence %d", pos, outboxSeq)
		}
		if outboxAt[pos] != string(v) {
			report("outbox position %d names %s, the activity records say %q", pos, v, outboxAt[pos])
		}
		delete(outboxAt, pos)
		return nil
	})
	for pos, iri := range outboxAt {
		report("activity %s claims outbox position %d, which is missing", iri, pos)
	}
	if n := counterTx(tx, mOutboxCount); n != nOutbox {
		report("outbox counter is %d, the outbox has %d entries", n, nOutbox)
	}

	// Deliveries, their indexes and the host counters.
	activities := tx.Bucket(bActivities)
	deliverySeq := counterTx(tx, mDeliverySeq)
	type hostCount struct{ pending, dead int64 }
	hosts := map[string]hostCount{}
	wantDue := map[string]string{}
	wantHostQ := map[string]bool{}
	wantPending := map[string]string{}
	checkDelivery := func(k, v []byte, dead bool) {
		d, err := decodeDelivery(v)
		if err != nil {
			report("delivery %s: %v", k, err)
			return
		}
		if d.ID != string(k) || checkDeliveryID(d.ID) != nil || d.Dead != dead {
			report("delivery %s: record says id %q, dead %v", k, d.ID, d.Dead)
			return
		}
		if n, _ := strconv.ParseUint(d.ID, 16, 64); n == 0 || n > deliverySeq {
			report("delivery %s: id outside 1..%d", d.ID, deliverySeq)
		}
		if activities.Get([]byte(d.ActivityIRI)) == nil {
			report("delivery %s: activity %s missing", d.ID, d.ActivityIRI)
		}
		if h, err := hostOf(d.Inbox); err != nil || h != d.Host {
			report("delivery %s: host %q, inbox %s implies %q (%v)", d.ID, d.Host, d.Inbox, h, err)
		}
		hc := hosts[d.Host]
		if dead {
			hc.dead++
		} else {
			hc.pending++
			wantDue[string(dueKey(d.NextAttempt, d.ID))] = d.Host
			wantHostQ[string(hostQueueKey(d.Host, d.ID))] = true
			pk := string(pendingKey(d.ActivityIRI, d.Inbox))
			if _, dup := wantPending[pk]; dup {
				report("delivery %s: a second pending delivery of %s to %s", d.ID, d.ActivityIRI, d.Inbox)
			}
			wantPending[pk] = d.ID
		}
		hosts[d.Host] = hc
	}
	_ = tx.Bucket(bDeliveries).ForEach(func(k, v []byte) error { checkDelivery(k, v, false); return nil })
	_ = tx.Bucket(bDead).ForEach(func(k, v []byte) error {
		if tx.Bucket(bDeliveries).Get(k) != nil {
			report("delivery %s is both pending and dead", k)
		}
		checkDelivery(k, v, true)
		return nil
	})
	matchIndex(tx.Bucket(bDue), wantDue, "due entry", report)
	matchIndex(tx.Bucket(bPending), wantPending, "pending entry", report)
	_ = tx.Bucket(bHostQueue).ForEach(func(k, _ []byte) error {
		if !wantHostQ[string(k)] {
			report("stray host queue entry %q", k)
		}
		delete(wantHostQ, string(k))
		return nil
	})
	for k := range wantHostQ {
		report("host queue entry %q missing", k)
	}
	_ = tx.Bucket(bHosts).ForEach(func(k, v []byte) error {
		h, err := decodeHost(v)
		want := hosts[string(k)]
		if err != nil || h.pending != want.pending || h.dead != want.dead {
			report("host %s: counters %d pending %d dead (%v), deliveries imply %d and %d", k, h.pending, h.dead, err, want.pending, want.dead)
		}
		delete(hosts, string(k))
		return nil
	})
	for h, c := range hosts {
		report("host %s missing (deliveries imply %d pending, %d dead)", h, c.pending, c.dead)
	}

	// The follow graph.
	wantFanout := map[string]uint64{}
	for _, g := range []graph{followersGraph, followingGraph} {
		counts := map[string]uint64{}
		_ = tx.Bucket(g.bucket).ForEach(func(k, v []byte) error {
			f, err := decodeFollow(v)
			if err != nil {
				report("%s %s: %v", g.name, k, err)
				return nil
			}
			if f.Actor != string(k) || !slices.Contains(FollowStates, f.State) {
				report("%s %s: record says actor %s, state %q", g.name, k, f.Actor, f.State)
				return nil
			}
			counts[f.State]++
			if g.fanout && f.State == FollowAccepted {
				wantFanout[f.fanoutInbox()]++
			}
			return nil
		})
		for _, st := range FollowStates {
			if n := counterTx(tx, g.counterKey(st)); n != counts[st] {
				report("%s counter of %s is %d, the records imply %d", g.name, st, n, counts[st])
			}
		}
	}
	_ = tx.Bucket(bFanout).ForEach(func(k, v []byte) error {
		n, w := binary.Uvarint(v)
		if w <= 0 || w != len(v) || n != wantFanout[string(k)] {
			report("fan-out entry %s is %x, the accepted followers imply %d", k, v, wantFanout[string(k)])
		}
		delete(wantFanout, string(k))
		return nil
	})
	for k, n := range wantFanout {
		report("fan-out entry %s missing (the accepted followers imply %d)", k, n)
	}

	// Inbox de-duplication: every id has exactly its age entry.
	wantAge := map[string]bool{}
	_ = tx.Bucket(bInboxSeen).ForEach(func(k, v []byte) error {
		if len(v) != 8 {
			report("inbox id %s: value %x is not a time", k, v)
			return nil
		}
		wantAge[string(append(bytes.Clone(v), k...))] = true
		return nil
	})
	_ = tx.Bucket(bInboxAge).ForEach(func(k, _ []byte) error {
		if !wantAge[string(k)] {
			report("stray inbox age entry %q", k)
		}
		delete(wantAge, string(k))
		return nil
	})
	for k := range wantAge {
		report("inbox age entry %q missing", k)
	}
	return nil
}

// matchIndex checks that bucket b holds exactly the entries want (key →
// value).
func matchIndex(b *bbolt.Bucket, want map[string]string, what string, report func(string, ...any)) {
	_ = b.ForEach(func(k, v []byte) error {
		w, ok := want[string(k)]
		if !ok || w != string(v) {
			report("stray %s %q → %q", what, k, v)
		}
		delete(want, string(k))
		return nil
	})
	for k, v := range want {
		report("%s %q → %q missing", what, k, v)
	}
}
