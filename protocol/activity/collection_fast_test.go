package activity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// FuzzCollectionPageFast: where the fast reader of outbox pages takes a
// document, it answers exactly as the full parser: the same items, byte
// for byte, the same next, and an error exactly when the full parser has
// one.
func FuzzCollectionPageFast(f *testing.F) {
	for _, s := range []string{
		`{"type":"OrderedCollectionPage","orderedItems":["https://a.example/1",{"id":"https://a.example/2","type":"Create"}],"next":"https://a.example/o?page=2"}`,
		`{"@context":"https://www.w3.org/ns/activitystreams","type":"CollectionPage","items":[ {"a":1} , "x" ],"next":null}`,
		`{"type":"OrderedCollectionPage","orderedItems":[],"items":["https://b.example/1"]}`,
		`{"type":"OrderedCollectionPage","orderedItems":[],"next":"ftp://a.example/"}`,
		`{"type":"as:OrderedCollectionPage","OrderedItems":["https://a.example/1"]}`,
		`{"type":"OrderedCollection","totalItems":2,"first":"https://a.example/o?page=1"}`,
		`{"type":["OrderedCollectionPage"],"orderedItems":"https://a.example/1"}`,
		`{"type":"OrderedCollectionPage","orderedItems":[1,2],"next":{"id":"https://a.example/o?page=2"}}`,
		`{"type":"OrderedCollectionPage","orderedItems":[],"type":"x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		items, next, ok, err := collectionPageFast("collection", raw)
		if !ok {
			return
		}
		wantItems, wantNext, wantErr := parseCollectionPage("collection", raw)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("fast error %v, full parser's %v", err, wantErr)
		}
		if err != nil {
			return
		}
		if next != wantNext || len(items) != len(wantItems) {
			t.Fatalf("fast: next %q and %d items, full parser: next %q and %d items", next, len(items), wantNext, len(wantItems))
		}
		for i := range items {
			if !bytes.Equal(items[i], wantItems[i]) {
				t.Fatalf("item %d: fast %q, full parser %q", i, items[i], wantItems[i])
			}
		}
	})
}

// BenchmarkCollectionPage reads an outbox page of 100 activities of about
// 3 KB each, by the fast reader and by the full parser.
//
//	go test -run '^$' -bench BenchmarkCollectionPage -count 5 ./protocol/activity
func BenchmarkCollectionPage(b *testing.B) {
	var items []json.RawMessage
	for i := range 100 {
		items = append(items, json.RawMessage(fmt.Sprintf(`{"id":"https://a.example/objects/%d/v1/create","type":"Create","actor":"https://a.example/actor",`+
			`"object":{"id":"https://a.example/objects/%d","type":"Note","content":"<p>x</p>","jws":{"payload":"%s","signatures":[{"protected":"eyJhbGciOiJFZERTQSJ9","signature":"%s"}]}}}`,
			i, i, strings.Repeat("QUJD", 700), strings.Repeat("c2ln", 22))))
	}
	page, err := OrderedCollectionPage("https://a.example/outbox?page=1", "https://a.example/outbox", "https://a.example/outbox?page=2", "", items)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		parse func() error
	}{
		{"fast", func() error { _, _, _, err := collectionPageFast("collection", page); return err }},
		{"full", func() error { _, _, err := parseCollectionPage("collection", page); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			for b.Loop() {
				if err := bc.parse(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
