package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/interlink-project/interlink-node/node/api"
)

// The CLI reads follow edges in the API's snake_case (api.Follow).
func TestFollowDecodesTheAPIView(t *testing.T) {
	const answer = `{"actor": "https://a.example/actor", "inbox": "https://a.example/inbox", "follow_iri": "https://b.example/activities/1",
 "state": "accepted", "since": "2026-11-27T10:00:00Z", "updated": "2026-11-27T10:00:01Z", "last_success": "2026-11-27T10:05:00Z",
 "failures": 2, "last_error": "timeout"}`
	var got api.Follow
	if err := json.Unmarshal([]byte(answer), &got); err != nil {
		t.Fatal(err)
	}
	want := api.Follow{Actor: "https://a.example/actor", Inbox: "https://a.example/inbox", FollowIRI: "https://b.example/activities/1",
		State: "accepted", Since: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC), Updated: time.Date(2026, 11, 27, 10, 0, 1, 0, time.UTC),
		LastSuccess: time.Date(2026, 11, 27, 10, 5, 0, 0, time.UTC), Failures: 2, LastError: "timeout"}
	if got != want {
		t.Fatalf("decoded %+v, want %+v", got, want)
	}
}
