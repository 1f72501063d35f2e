package oidc

import (
	"container/list"
	"sync"
	"time"
)

// flow is one started sign-in, kept until its callback or its expiry.
type flow struct {
	id       string
	state    string
	nonce    string
	verifier string // PKCE
	next     string // the local path to return to
	expires  time.Time
}

// flows keeps started sign-ins in memory, oldest first: at most max, each
// taken once.
type flows struct {
	mu    sync.Mutex
	max   int
	byID  map[string]*list.Element
	order *list.List // of *flow, oldest at the front
}

func newFlows(max int) *flows {
	return &flows{max: max, byID: map[string]*list.Element{}, order: list.New()}
}

// put keeps f, dropping expired flows and, when full, the oldest.
func (fs *flows) put(f *flow, now time.Time) (dropped int) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for e := fs.order.Front(); e != nil; e = fs.order.Front() {
		old := e.Value.(*flow)
		if now.Before(old.expires) && fs.order.Len() < fs.max {
			break
		}
		if now.Before(old.expires) {
			dropped++
		}
		fs.order.Remove(e)
		delete(fs.byID, old.id)
	}
	fs.byID[f.id] = fs.order.PushBack(f)
	return dropped
}

// take removes and returns the flow of id if it has not expired.
func (fs *flows) take(id string, now time.Time) (*flow, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	e, ok := fs.byID[id]
	if !ok {
		return nil, false
	}
	fs.order.Remove(e)
	delete(fs.byID, id)
	f := e.Value.(*flow)
	if !now.Before(f.expires) {
		return nil, false
	}
	return f, true
}

func (fs *flows) len() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.order.Len()
}
