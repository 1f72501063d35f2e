package coproduction

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// BundleFormat names the export format of a process.
const BundleFormat = "interlink-process-bundle/1"

// MaxBundle caps a bundle read back (5,000 entries with small assets).
const MaxBundle = 512 << 20

// Bundle is a whole process in one file: its ordered, host-signed history
// (every change in it signed by its author, file assets included), and the
// state it folds to. It verifies offline: Replay the entries with keys from
// pinned anchors and compare the state.
type Bundle struct {
	Format  string            `json:"format"`
	Process string            `json:"process"`
	Entries []json.RawMessage `json:"entries"`
	State   json.RawMessage   `json:"state"`
}

// NewBundle makes the bundle of process from its entries and state.
func NewBundle(process string, entries [][]byte, p *Process) ([]byte, error) {
	st, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	b := Bundle{Format: BundleFormat, Process: process, State: st}
	for _, e := range entries {
		b.Entries = append(b.Entries, json.RawMessage(e))
	}
	return json.Marshal(b)
}

// ReadBundle reads a bundle strictly (unknown members, wrong types,
// duplicate keys refused, at most MaxBundle bytes) and checks its format;
// nothing is verified yet (VerifyBundle, or Step over Entries and
// CheckState).
func ReadBundle(raw []byte) (*Bundle, error) {
	var b Bundle
	if err := strictjson.Decode(raw, &b, strictjson.Options{MaxBytes: MaxBundle}); err != nil {
		return nil, fmt.Errorf("coproduction: bundle: %w: %w", ErrInvalid, err)
	}
	if b.Format != BundleFormat {
		return nil, fmt.Errorf("coproduction: bundle: %w: format %q is not %s", ErrInvalid, b.Format, BundleFormat)
	}
	if len(b.Entries) == 0 {
		return nil, fmt.Errorf("coproduction: bundle: %w: it has no entries", ErrInvalid)
	}
	return &b, nil
}

// CheckState refuses a bundle whose stated state is not p, the state its
// history folds to.
func (b *Bundle) CheckState(p *Process) error {
	got, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if !jsonEqual(got, b.State) {
		return fmt.Errorf("coproduction: bundle: %w: the stated state is not what the history folds to", ErrHistory)
	}
	return nil
}

// VerifyBundle reads a bundle strictly, replays its history with verify and
// checks that the state it states is the state the history folds to.
func VerifyBundle(ctx context.Context, verify Verifier, raw []byte) (*Process, int, error) {
	b, err := ReadBundle(raw)
	if err != nil {
		return nil, 0, err
	}
	entries := make([][]byte, len(b.Entries))
	for i, e := range b.Entries {
		entries[i] = e
	}
	p, err := Replay(ctx, verify, b.Process, entries)
	if err != nil {
		return nil, 0, err
	}
	if err := b.CheckState(p); err != nil {
		return nil, 0, err
	}
	return p, len(entries), nil
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
