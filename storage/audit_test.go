package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestAppendAuditValidation(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	ok := AuditEntry{UserID: "01ARZ3NDEKTSV4RRFFQ69G5FAV", Username: "ana", Action: "object.publish", Target: "https://n.example/objects/1"}
	cases := []struct {
		name  string
		edit  func(*AuditEntry)
		field string
	}{
		{"valid", func(*AuditEntry) {}, ""},
		{"no user (the node itself)", func(e *AuditEntry) { e.UserID, e.Username = "", "" }, ""},
		{"a long detail is clipped", func(e *AuditEntry) { e.Detail = strings.Repeat("d", 2*MaxAuditDetail) }, ""},
		{"empty action", func(e *AuditEntry) { e.Action = "" }, "action"},
		{"action with capitals", func(e *AuditEntry) { e.Action = "User.Create" }, "action"},
		{"long action", func(e *AuditEntry) { e.Action = strings.Repeat("a", MaxAuditAction+1) }, "action"},
		{"target with a newline", func(e *AuditEntry) { e.Target = "a\nb" }, "target"},
		{"long target", func(e *AuditEntry) { e.Target = strings.Repeat("t", MaxAuditTarget+1) }, "target"},
		{"long username", func(e *AuditEntry) { e.Username = strings.Repeat("u", MaxUsername+1) }, "username"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := ok
			c.edit(&e)
			_, err := s.Accounts().AppendAudit(ctx, e, 0)
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != c.field || !errors.Is(err, ErrInvalidObject) {
				t.Fatalf("got %v, want a field error on %s", err, c.field)
			}
		})
	}
	es, _, err := s.Accounts().ListAudit(ctx, 0, 0)
	if err != nil || len(es) != 3 {
		t.Fatalf("%d entries, %v", len(es), err)
	}
	if len(es[0].Detail) != MaxAuditDetail || !es[0].Time.Equal(es[0].Time.UTC()) || es[0].Time.IsZero() {
		t.Errorf("newest entry: detail %d bytes, time %v", len(es[0].Detail), es[0].Time)
	}
}

func TestListAudit(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, Options{NoSync: true})
	for i := 1; i <= 7; i++ {
		seq, err := s.Accounts().AppendAudit(ctx, AuditEntry{Time: testEpoch.Add(time.Duration(i) * time.Second), Username: "ana",
			Action: "object.publish", Target: fmt.Sprint(i)}, 0)
		if err != nil || seq != uint64(i) {
			t.Fatalf("append %d: seq %d, %v", i, seq, err)
		}
	}
	cases := []struct {
		before uint64
		limit  int
		want   []uint64
		next   uint64
	}{
		{0, 3, []uint64{7, 6, 5}, 5},
		{5, 3, []uint64{4, 3, 2}, 2},
		{2, 3, []uint64{1}, 0},
		{1, 3, nil, 0},
		{0, 7, []uint64{7, 6, 5, 4, 3, 2, 1}, 0},
		{0, 6, []uint64{7, 6, 5, 4, 3, 2}, 2},
		{99, 2, []uint64{7, 6}, 6}, // a cursor past the end starts at the newest
	}
	for _, c := range cases {
		es, next, err := s.Accounts().ListAudit(ctx, c.before, c.limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []uint64
		for _, e := range es {
			got = append(got, e.Seq)
			if e.Target != fmt.Sprint(e.Seq) {
				t.Errorf("entry %d holds %q", e.Seq, e.Target)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) || next != c.next {
			t.Errorf("before %d limit %d: %v next %d; want %v next %d", c.before, c.limit, got, next, c.want, c.next)
		}
	}
	if _, _, err := s.Accounts().ListAudit(ctx, 0, -1); !errors.Is(err, ErrInvalidQuery) {
		t.Errorf("negative limit: %v", err)
	}
}

func TestAuditRetention(t *testing.T) {
	ctx := context.Background()
	type step struct {
		appends     int
		keep        int
		first, last uint64 // the entries held after the step
	}
	const big = maxAuditPrune + 10
	cases := []struct {
		name  string
		steps []step
	}{
		{"under the retention", []step{{5, 10, 1, 5}}},
		{"over it, the oldest go", []step{{5, 10, 1, 5}, {10, 10, 6, 15}}},
		{"the default retention", []step{{3, 0, 1, 3}}},
		{"a lower retention converges, a bounded number per append", []step{
			{big, 0, 1, big},
			{1, 1, maxAuditPrune + 1, big + 1},
			{1, 1, big + 2, big + 2},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t, Options{NoSync: true})
			for i, st := range c.steps {
				for range st.appends {
					if _, err := s.Accounts().AppendAudit(ctx, AuditEntry{Action: "setting.change"}, st.keep); err != nil {
						t.Fatal(err)
					}
				}
				es, _, err := s.Accounts().ListAudit(ctx, 0, MaxAuditLimit)
				if err != nil || len(es) == 0 {
					t.Fatalf("step %d: %d entries, %v", i, len(es), err)
				}
				first, last := es[len(es)-1].Seq, es[0].Seq
				if first != st.first || last != st.last || len(es) != int(min(last-first+1, MaxAuditLimit)) {
					t.Errorf("step %d: entries %d..%d (%d listed), want %d..%d", i, first, last, len(es), st.first, st.last)
				}
			}
			mustVerifyAccounts(t, s)
		})
	}
}
