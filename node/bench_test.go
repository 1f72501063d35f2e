package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAPICreate measures durable creates through the HTTP API with 1
// and 32 concurrent clients: objects/s and p99 latency. Every create is
// acknowledged only after its group commit has been fsynced.
//
//	go test -run '^$' -bench BenchmarkAPICreate -benchtime 3000x -count 5 ./node
func BenchmarkAPICreate(b *testing.B) {
	for _, clients := range []int{1, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			defer ApplyRuntime(Defaults())() // as serve runs the node
			tn := startNode(b, b.TempDir(), "127.0.0.1")
			editor := tn.token("editor")
			transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
			client := &http.Client{Transport: transport}
			defer transport.CloseIdleConnections()
			bodies := make([][]byte, b.N)
			for i := range bodies {
				il := interlinkerBody(fmt.Sprintf("bench-%d", i), fmt.Sprintf("Benchmark tool %d", i), "Strumento di prova", "P1", "P2")
				il["tags"] = map[string][]string{"en": {"survey", "canvas", "co-production"}}
				bodies[i], _ = json.Marshal(il)
			}
			lat := make([]time.Duration, b.N)
			var next atomic.Int64
			var failed atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1) - 1)
						if i >= b.N {
							return
						}
						t0 := time.Now()
						req, _ := http.NewRequest("POST", tn.url+"/api/v1/objects", bytes.NewReader(bodies[i]))
						req.Header.Set("Authorization", "Bearer "+editor)
						req.Header.Set("Content-Type", "application/json")
						resp, err := client.Do(req)
						if err != nil {
							failed.Add(1)
							continue
						}
						drain(resp)
						if resp.StatusCode != 201 {
							failed.Add(1)
						}
						lat[i] = time.Since(t0)
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if f := failed.Load(); f > 0 {
				b.Fatalf("%d creates failed", f)
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "objects/s")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
