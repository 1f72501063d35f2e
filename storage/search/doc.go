// Package search keeps the node's full-text index of the catalogue: a bleve
// (scorch) index derived from the bbolt store, never a source of truth.
//
// An Index follows a Source (the store's change log): at start it rebuilds
// itself from a full scan when it is missing, corrupt, of an older layout,
// interrupted during a rebuild, or out of step with the store (another epoch
// after a restore, or claiming more changes than the store has); otherwise it
// catches up from the change log, then applies every new commit in bleve
// batches. The indexed change sequence and epoch are written inside the same
// batch as the documents, so a crash never leaves the index claiming more
// than it holds.
//
// Search ranks multilingual text (per-language analyzers for English,
// Spanish and Italian, a folding analyzer for every other language), filters
// on exact keyword fields, counts facets, and pages with an opaque cursor.
// When an exact query finds fewer than a handful of objects it is retried
// with typo tolerance and any-word matching.
package search
