package faults

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDecode(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  Faults
		field string // of the error; "-" for no error
	}{
		{"empty object", `{}`, Faults{}, "-"},
		{"all", `{"partition":["127.0.0.2:8080","127.0.0.3"],"latency":"200ms","clock_skew":"+10m"}`,
			Faults{Partition: []string{"127.0.0.2:8080", "127.0.0.3"}, Latency: 200 * time.Millisecond, ClockSkew: 10 * time.Minute}, "-"},
		{"negative skew", `{"clock_skew":"-30s"}`, Faults{ClockSkew: -30 * time.Second}, "-"},
		{"dedup, lower case, sorted", `{"partition":["Node-B.example:80","127.0.0.9","node-b.example:80"]}`,
			Faults{Partition: []string{"127.0.0.9", "node-b.example:80"}}, "-"},
		{"ipv6", `{"partition":["[::1]:7946","::1"]}`, Faults{Partition: []string{"::1", "[::1]:7946"}}, "-"},
		{"unknown field", `{"partitions":[]}`, Faults{}, "partitions"},
		{"member named twice", `{"latency":"1s","latency":"2s"}`, Faults{}, "latency"},
		{"trailing data", `{} {}`, Faults{}, ""},
		{"wrong type", `{"latency":200}`, Faults{}, "latency"},
		{"bad port", `{"partition":["127.0.0.2:0"]}`, Faults{}, "partition[0]"},
		{"bad host", `{"partition":["a b:80"]}`, Faults{}, "partition[0]"},
		{"empty entry", `{"partition":["ok",""]}`, Faults{}, "partition[1]"},
		{"signed latency", `{"latency":"+1s"}`, Faults{}, "latency"},
		{"latency too long", `{"latency":"2m"}`, Faults{}, "latency"},
		{"bad skew", `{"clock_skew":"ten minutes"}`, Faults{}, "clock_skew"},
		{"skew too large", `{"clock_skew":"+8760h"}`, Faults{}, "clock_skew"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode([]byte(tt.in))
			if tt.field == "-" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("got %+v, want %+v", got, tt.want)
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("want a *FieldError, got %v", err)
			}
			if fe.Field != tt.field {
				t.Fatalf("error field %q, want %q (%v)", fe.Field, tt.field, err)
			}
		})
	}
}

func TestSpecRoundTrip(t *testing.T) {
	for _, in := range []Faults{{}, {Partition: []string{"127.0.0.2:1"}, Latency: time.Second, ClockSkew: -time.Minute},
		{ClockSkew: 10 * time.Minute}} {
		got, err := in.Spec().Parse()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, in) {
			t.Fatalf("round trip of %+v gave %+v", in, got)
		}
	}
	if s := (Faults{ClockSkew: 10 * time.Minute}).Spec(); s.ClockSkew != "+10m0s" || s.Partition == nil {
		t.Fatalf("spec %+v", s)
	}
}

func TestBlocked(t *testing.T) {
	s := NewSet()
	if s.Blocked("127.0.0.2:80") {
		t.Fatal("a new set blocks nothing")
	}
	f, err := Spec{Partition: []string{"127.0.0.2:8080", "127.0.0.3"}}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	s.Replace(f)
	for addr, want := range map[string]bool{
		"127.0.0.2:8080": true, "127.0.0.2:8081": false, "127.0.0.3:1": true, "127.0.0.3": true,
		"127.0.0.4:8080": false, "": false,
	} {
		if got := s.Blocked(addr); got != want {
			t.Errorf("Blocked(%q) = %v, want %v", addr, got, want)
		}
	}
	s.Replace(Faults{})
	if s.Blocked("127.0.0.3:1") {
		t.Fatal("heal did not clear")
	}
}

func TestClock(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := NewSet()
	now := s.Clock(func() time.Time { return base })
	if !now().Equal(base) {
		t.Fatal("no skew must give the base clock")
	}
	s.Replace(Faults{ClockSkew: 10 * time.Minute})
	if got := now(); !got.Equal(base.Add(10 * time.Minute)) {
		t.Fatalf("skewed clock %v", got)
	}
}

func TestConcurrentReplace(t *testing.T) {
	s := NewSet()
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range 200 {
				s.Replace(Faults{Partition: []string{"127.0.0.2:1"}, Latency: time.Duration(i*j) * time.Nanosecond})
			}
		}()
		go func() {
			defer wg.Done()
			for range 200 {
				_ = s.Blocked("127.0.0.2:1")
				_ = s.Get()
				_ = s.Latency()
			}
		}()
	}
	wg.Wait()
}

func TestRoundTripper(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	s := NewSet()
	hc := &http.Client{Transport: s.WrapRoundTripper(tr)}
	get := func() error {
		resp, err := hc.Get(srv.URL)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	if err := get(); err != nil {
		t.Fatalf("no faults: %v", err)
	}
	host := srv.Listener.Addr().String()
	s.Replace(Faults{Partition: []string{host}})
	err := get()
	if !errors.Is(err, ErrPartitioned) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("blocked request: %v, want ErrPartitioned and ECONNREFUSED", err)
	}
	s.Replace(Faults{Latency: 80 * time.Millisecond})
	start := time.Now()
	if err := get(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Fatalf("latency not applied: %s", d)
	}
	// The latency respects the request's context.
	s.Replace(Faults{Latency: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if _, err := hc.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the deadline, got %v", err)
	}
}

// fakeTransport records what memberlist would have sent.
type fakeTransport struct {
	mu      sync.Mutex
	packets []string
	dials   []string
}

func (f *fakeTransport) FinalAdvertiseAddr(string, int) (net.IP, int, error) {
	return net.IPv4(127, 0, 0, 1), 1, nil
}
func (f *fakeTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.packets = append(f.packets, addr)
	return time.Now(), nil
}
func (f *fakeTransport) PacketCh() <-chan *memberlist.Packet { return nil }
func (f *fakeTransport) DialTimeout(addr string, _ time.Duration) (net.Conn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dials = append(f.dials, addr)
	c1, c2 := net.Pipe()
	c2.Close()
	return c1, nil
}
func (f *fakeTransport) StreamCh() <-chan net.Conn { return nil }
func (f *fakeTransport) Shutdown() error           { return nil }

func TestWrapGossip(t *testing.T) {
	inner := &fakeTransport{}
	s := NewSet()
	tr := s.WrapGossip(inner).(memberlist.NodeAwareTransport)
	s.Replace(Faults{Partition: []string{"127.0.0.2:7946"}})
	for _, a := range []string{"127.0.0.2:7946", "127.0.0.3:7946"} {
		if _, err := tr.WriteTo([]byte("x"), a); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.WriteToAddress([]byte("x"), memberlist.Address{Addr: a, Name: "n"}); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(inner.packets, []string{"127.0.0.3:7946", "127.0.0.3:7946"}) {
		t.Fatalf("packets sent %v: the blocked ones must be dropped", inner.packets)
	}
	if _, err := tr.DialTimeout("127.0.0.2:7946", time.Second); !errors.Is(err, ErrPartitioned) {
		t.Fatalf("dial to a blocked address: %v", err)
	}
	if _, err := tr.DialAddressTimeout(memberlist.Address{Addr: "127.0.0.2:7946"}, time.Second); !errors.Is(err, ErrPartitioned) {
		t.Fatalf("dial to a blocked address: %v", err)
	}
	c, err := tr.DialTimeout("127.0.0.3:7946", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	s.Replace(Faults{Latency: 60 * time.Millisecond})
	start := time.Now()
	if _, err := tr.WriteTo([]byte("x"), "127.0.0.3:7946"); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 60*time.Millisecond {
		t.Fatal("gossip latency not applied")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"partition":["127.0.0.2:80","h"],"latency":"1s","clock_skew":"-1m"}`,
		`{"partition":["[::1]:1"]}`, `{"latency":"+1s"}`, `[]`, `{"partition":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		fs, err := Decode(raw)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *FieldError: %v", err)
			}
			return
		}
		// Whatever is accepted renders and re-parses to itself.
		again, err := fs.Spec().Parse()
		if err != nil {
			t.Fatalf("re-parse of %+v: %v", fs.Spec(), err)
		}
		if len(again.Partition) != len(fs.Partition) || again.Latency != fs.Latency || again.ClockSkew != fs.ClockSkew {
			t.Fatalf("round trip %+v → %+v", fs, again)
		}
	})
}
