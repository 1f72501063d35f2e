package trustchain

import "container/list"

// lru is a bounded map that evicts the least recently used entry. It is not
// safe for concurrent use: the Resolver guards it.
type lru[V any] struct {
	max int
	ll  *list.List // of *lruEntry[V], most recent first
	m   map[string]*list.Element
}

type lruEntry[V any] struct {
	key string
	val V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{max: max, ll: list.New(), m: make(map[string]*list.Element)}
}

func (c *lru[V]) get(key string) (V, bool) {
	if e, ok := c.m[key]; ok {
		c.ll.MoveToFront(e)
		return e.Value.(*lruEntry[V]).val, true
	}
	var zero V
	return zero, false
}

func (c *lru[V]) put(key string, val V) {
	if e, ok := c.m[key]; ok {
		e.Value.(*lruEntry[V]).val = val
		c.ll.MoveToFront(e)
		return
	}
	c.m[key] = c.ll.PushFront(&lruEntry[V]{key: key, val: val})
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.m, old.Value.(*lruEntry[V]).key)
	}
}

func (c *lru[V]) remove(key string) {
	if e, ok := c.m[key]; ok {
		c.ll.Remove(e)
		delete(c.m, key)
	}
}

// removeIf drops every entry for which drop returns true.
func (c *lru[V]) removeIf(drop func(key string, val V) bool) {
	for e := c.ll.Front(); e != nil; {
		next := e.Next()
		if en := e.Value.(*lruEntry[V]); drop(en.key, en.val) {
			c.ll.Remove(e)
			delete(c.m, en.key)
		}
		e = next
	}
}

func (c *lru[V]) len() int { return c.ll.Len() }
