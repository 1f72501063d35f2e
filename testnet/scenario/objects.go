package scenario

import "sync"

// item is one published object.
type item struct {
	Node    string
	Kind    string
	Key     string
	IRI     string
	ID      string
	DraftID string
	// A forged object (forge): its signed version 1, and the nodes that
	// accepted it (2xx) when it was delivered; the others refused it.
	Forged   []byte
	Accepted map[string]bool
}

// objSet is the objects a step published under one name (as: NAME).
type objSet struct {
	mu    sync.Mutex
	items []item
}

func (s *objSet) add(it item) {
	s.mu.Lock()
	s.items = append(s.items, it)
	s.mu.Unlock()
}

func (s *objSet) replace(i int, it item) {
	s.mu.Lock()
	s.items[i] = it
	s.mu.Unlock()
}

func (s *objSet) list() []item {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]item(nil), s.items...)
}

// catalog holds the named sets of a run; background publishes add to them
// while the steps read them.
type catalog struct {
	mu   sync.Mutex
	sets map[string]*objSet
}

func newCatalog() *catalog { return &catalog{sets: map[string]*objSet{}} }

// set returns the set name, empty if no step added to it yet.
func (c *catalog) set(name string) *objSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sets[name]
	if s == nil {
		s = &objSet{}
		c.sets[name] = s
	}
	return s
}

// items lists the objects of the named sets, set by set.
func (c *catalog) items(sets []string) []item {
	var out []item
	for _, name := range sets {
		out = append(out, c.set(name).list()...)
	}
	return out
}

// all returns every set, in no particular order.
func (c *catalog) all() []*objSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	sets := make([]*objSet, 0, len(c.sets))
	for _, s := range c.sets {
		sets = append(sets, s)
	}
	return sets
}
