package coproduction

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/protocol/signedobject"
)

// org is one organisation of a test: its entity id and content key.
type org struct {
	id  string
	key ed25519.PrivateKey
}

func newOrg(t testing.TB, id string) org {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return org{id: id, key: k}
}

var jti atomic.Int64

func (o org) sign(t testing.TB, sub, typ string, body any, at time.Time) []byte {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signedobject.Sign(signedobject.Payload{Iss: o.id, Sub: sub, Iat: at.Unix(), Exp: at.Add(24 * time.Hour).Unix(),
		Jti: fmt.Sprint("j", jti.Add(1)), Ver: 1, Type: typ, Cosigners: []string{o.id}, Body: b}, signedobject.Signer{EntityID: o.id, Key: o.key})
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

// verifier trusts the keys of orgs, judged at each document's iat.
func verifier(orgs ...org) Verifier {
	keys := map[string]ed25519.PublicKey{}
	for _, o := range orgs {
		keys[o.id] = o.key.Public().(ed25519.PublicKey)
	}
	return func(_ context.Context, jws []byte) (*signedobject.Verified, error) {
		in, err := signedobject.Inspect(jws)
		if err != nil {
			return nil, err
		}
		return signedobject.Verify(jws, func(ent, _ string, _ time.Time) (ed25519.PublicKey, error) {
			k, ok := keys[ent]
			if !ok {
				return nil, errors.New("unknown signer")
			}
			return k, nil
		}, time.Unix(in.Payload.Iat, 0).Add(time.Second), signedobject.Options{})
	}
}

// log is a process's history being written by a test host.
type log struct {
	t       testing.TB
	host    org
	process string
	p       *Process
	entries [][]byte
	verify  Verifier
	at      time.Time
	n       int
}

func newLog(t testing.TB, host org, verify Verifier) *log {
	return &log{t: t, host: host, process: host.id + "/processes/p1", verify: verify, at: time.Unix(1_800_000_000, 0)}
}

// propose signs c as author, orders it and applies it; the error is Step's.
func (l *log) propose(author org, c Change) error {
	l.t.Helper()
	l.n++
	l.at = l.at.Add(time.Second)
	c.Process = l.process
	cj := author.sign(l.t, fmt.Sprintf("%s/process-changes/c%d", author.id, l.n), ChangeType, c, l.at)
	seq, prev := uint64(1), ""
	if l.p != nil {
		seq, prev = l.p.Seq+1, l.p.Head
	}
	ej := l.host.sign(l.t, EntryIRI(l.process, seq), EntryType, Entry{Process: l.process, Seq: seq, Prev: prev, Change: cj}, l.at)
	var base *Process
	if l.p != nil {
		var err error
		if base, err = Clone(l.p); err != nil {
			l.t.Fatal(err)
		}
	}
	np, _, err := Step(context.Background(), l.verify, base, l.process, ej, DefaultAsset)
	if err != nil {
		return err
	}
	l.p = np
	l.entries = append(l.entries, ej)
	return nil
}

func (l *log) must(author org, c Change) {
	l.t.Helper()
	if err := l.propose(author, c); err != nil {
		l.t.Fatalf("%s %s: %v", c.Op, c.Item, err)
	}
}

func data(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
