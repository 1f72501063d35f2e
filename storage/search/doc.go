// Package search keeps the node's full-text index of the catalogue: a bleve
// (scorch) index derived from the bbolt store, never a source of truth.
//
// An Index follows a Source (the store's change log): at start it rebuilds
// itself from a full scan when it is missing, corrupt, of an older layout,
// interrupted during a rebuild, or out of step with the store (another epoch
// after a restore, or claiming more changes than the store has); otherwise it
// catches up from the change log, then applies every new commit in bleve
// batches.
//
// The index is split into shards (Options.Shards, two by default), each a
// bleve index in its own directory; a document lives in the shard chosen by
// a stable hash (FNV-1a) of its IRI, and a search runs on every shard in
// parallel through a bleve index alias that merges hits, totals and facets
// (so a query matching much of the catalogue costs about half the time on
// two cores). Shard 0 also holds the metadata: the layout version, the
// shard count, the rebuild state, the source epoch and the indexed change
// sequence. Every batch of changes is written to the other shards first and
// to shard 0, carrying the new sequence, last, and only once the others
// succeeded: a crash in between leaves documents for changes the recorded
// sequence does not claim yet, which the next start replays (indexing and
// deleting are idempotent), never a claim without its documents. A rebuild
// writes and merges every shard of a new directory, records the final state
// in shard 0 last, and swaps the directory in with one rename. Relevance is
// computed per shard (term statistics differ slightly between shards);
// cursors hold the last hit's score and IRI, which every shard pages after
// consistently.
//
// Search ranks multilingual text (per-language analyzers for English,
// Spanish and Italian, a folding analyzer for every other language), filters
// on exact keyword fields, counts facets, and pages with an opaque cursor.
// When an exact query finds fewer than a handful of objects it is retried
// with typo tolerance and any-word matching.
//
// Facets are counted exactly, over every match, but not by bleve's facet
// builder, which visits each matching document's doc values and counts
// them in a map by string: over a broad query (tens of thousands of
// matches, a dozen facet values each) that was most of the search time.
// Each segment of a shard instead gets a facet column (facets.go): the
// small integer ids of every document's facet values, read once from the
// segment's postings of the combined facet field (about 25 bytes a
// document). A search passes bleve's top-N collector a document handler
// (bleve's MakeDocumentMatchHandler hook) that adds each match's value ids
// to per-segment counters and then hands the match on to the usual top-N
// ranking; the counts of the shards are summed and split per field after
// the search. Segments are immutable, so a column lives as long as its
// segment: Run builds the columns of new segments after every catch-up (a
// search meeting a segment without one builds it), and columns of segments
// that were merged away are dropped. The unfiltered listing still counts
// from the term dictionaries (globalFacets), and whole result pages are
// cached per index generation (cache.go).
package search
