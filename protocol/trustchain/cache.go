package trustchain

import "github.com/hashicorp/golang-lru/v2/simplelru"

// newCache is a bounded map that forgets its least recently used entry
// when full (HashiCorp's simplelru; not safe for concurrent use: the
// Resolver guards it). Config.CacheSize is at least 1 after New.
func newCache[V any](size int) *simplelru.LRU[string, V] {
	c, err := simplelru.NewLRU[string, V](max(size, 1), nil)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return c
}
