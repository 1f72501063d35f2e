package transport

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkDoPOST measures a 2 KB POST over kept-alive loopback connections
// through the whole client (guard, host limiter, redirect policy, body cap).
func BenchmarkDoPOST(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	c := New(Options{AllowPrivateNetworks: true})
	defer c.CloseIdleConnections()
	body := bytes.Repeat([]byte("x"), 2048)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/inbox", bytes.NewReader(body))
			resp, err := c.Do(context.Background(), req)
			if err != nil || resp.Status != http.StatusAccepted {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}
