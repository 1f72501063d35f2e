package api

// List is the answer of the list endpoints that page nothing:
// {"items": [...]} (tokens, drafts, co-sign requests, subordinates).
type List[T any] struct {
	Items []T `json:"items"`
}
