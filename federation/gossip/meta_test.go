package gossip

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

var realMetas = []Meta{
	{EntityID: "https://interlink.comune.re.it", ECHash: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Role: "node", Country: "IT", Version: "0.1.0"},
	{EntityID: "https://interlink.zaragoza.es", ECHash: "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", Role: "node", Country: "ES", Version: "0.1.0"},
	{EntityID: "https://trust.varam.gov.lv", Role: "anchor", Country: "LV", Version: "0.1.0"},
	{EntityID: "https://vicinato-ospizio.it", Role: "node", Country: "IT", Version: "0.1.0-dev+ü"},
	{},
}

func TestMetaRoundTrip(t *testing.T) {
	for _, m := range realMetas {
		b, err := m.Encode()
		if err != nil {
			t.Fatalf("%+v: %v", m, err)
		}
		got, err := DecodeMeta(b)
		if err != nil || got != m {
			t.Fatalf("round trip %+v: got %+v, %v", m, got, err)
		}
	}
}

func TestMetaLimits(t *testing.T) {
	// 1 version byte + 5 length bytes for the short fields + 2 for the long one.
	fits := Meta{EntityID: strings.Repeat("a", MaxMetaSize-7)}
	tests := []struct {
		name    string
		meta    Meta
		wantErr error
		wantSub string
	}{
		{"exactly 512 bytes", fits, nil, ""},
		{"513 bytes", Meta{EntityID: fits.EntityID + "a"}, ErrMetaTooLarge, "512"},
		{"far too large", Meta{ECHash: strings.Repeat("x", 4000)}, ErrMetaTooLarge, "512"},
		{"control character", Meta{Role: "node\n"}, nil, "control character"},
		{"invalid UTF-8", Meta{Country: "\xff"}, nil, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.meta.Encode()
			if tt.wantErr == nil && tt.wantSub == "" {
				if err != nil || len(b) != MaxMetaSize {
					t.Fatalf("got %d bytes, %v; want %d bytes", len(b), err, MaxMetaSize)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err %v is not %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantSub) {
				t.Errorf("err %q does not mention %q", err, tt.wantSub)
			}
		})
	}
}

func TestDecodeMetaRejects(t *testing.T) {
	good, _ := realMetas[0].Encode()
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"unknown version", append([]byte{2}, good[1:]...)},
		{"truncated", good[:len(good)-1]},
		{"trailing byte", append(bytes.Clone(good), 0)},
		{"length past end", []byte{1, 50, 'a'}},
		{"non-canonical length", []byte{1, 0x80, 0x00, 0, 0, 0, 0}},
		{"missing fields", []byte{1, 0, 0}},
		{"too large", append([]byte{1}, make([]byte, MaxMetaSize)...)},
		{"control char", []byte{1, 1, 0x07, 0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if m, err := DecodeMeta(tt.in); err == nil {
				t.Fatalf("accepted %x as %+v", tt.in, m)
			}
		})
	}
}

func FuzzDecodeMeta(f *testing.F) {
	for _, m := range realMetas {
		b, err := m.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{1, 0x80, 0x00, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMeta(b)
		if err != nil {
			return
		}
		// Whatever decodes is canonical: it re-encodes to the same bytes.
		again, err := m.Encode()
		if err != nil {
			t.Fatalf("decoded %+v does not re-encode: %v", m, err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("not canonical: %x re-encodes as %x", b, again)
		}
	})
}

func TestConfigValidation(t *testing.T) {
	base := func() Config {
		return Config{Name: "https://n.example.eu", Bind: "127.0.0.1:7946", Keyring: [][]byte{testKey}, Profile: ProfileLocal}
	}
	tests := []struct {
		name    string
		mut     func(*Config)
		wantSub string
	}{
		{"no keyring", func(c *Config) { c.Keyring = nil }, "at least one AES-256 key"},
		{"AES-128 key", func(c *Config) { c.Keyring = [][]byte{make([]byte, 16)} }, "want 32"},
		{"duplicate key", func(c *Config) { c.Keyring = [][]byte{testKey, testKey} }, "duplicates"},
		{"oversized meta", func(c *Config) { c.Meta.ECHash = strings.Repeat("h", 600) }, "512-byte"},
		{"empty name", func(c *Config) { c.Name = "" }, "empty"},
		{"name with space", func(c *Config) { c.Name = "a b" }, "no spaces"},
		{"long name", func(c *Config) { c.Name = strings.Repeat("n", 300) }, "at most 255"},
		{"port 0", func(c *Config) { c.Bind = "127.0.0.1:0" }, "port 0"},
		{"hostname bind", func(c *Config) { c.Bind = "localhost:7946" }, "literal IP"},
		{"unspecified advertise", func(c *Config) { c.Advertise = "0.0.0.0:7946" }, "cannot be reached"},
		{"bad profile", func(c *Config) { c.Profile = "fast" }, "local, lan or wan"},
		{"seed without port", func(c *Config) { c.Seeds = []string{"seed.example.eu"} }, "host:port"},
		{"seed bad port", func(c *Config) { c.Seeds = []string{"seed.example.eu:99999"} }, "bad port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.mut(&c)
			_, err := c.validate()
			if err == nil || !strings.Contains(err.Error(), tt.wantSub) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantSub)
			}
		})
	}
	t.Run("own address dropped from seeds, advertise defaults to bind", func(t *testing.T) {
		c := base()
		c.Seeds = []string{"127.0.0.1:7946", "10.0.0.2:7946"}
		s, err := c.validate()
		if err != nil {
			t.Fatal(err)
		}
		if len(s.seeds) != 1 || s.seeds[0] != "10.0.0.2:7946" || s.advertiseIP != "127.0.0.1" || s.advertisePort != 7946 {
			t.Fatalf("got seeds %v advertise %s:%d", s.seeds, s.advertiseIP, s.advertisePort)
		}
	})
}

// TestTimeScale: a simulation's time scale multiplies every interval and
// timeout of the profile; real time (0 or 1) leaves them alone.
func TestTimeScale(t *testing.T) {
	for _, tt := range []struct {
		scale, want float64
	}{{0, 1}, {0.5, 1}, {1, 1}, {4, 4}} {
		s, err := Config{Name: "a", Bind: "127.0.0.1:7946", Keyring: [][]byte{make([]byte, 32)}, Profile: ProfileLocal,
			TimeScale: tt.scale}.validate()
		if err != nil {
			t.Fatal(err)
		}
		base, c := memberlistConfig(ProfileLocal), memberlistConfig(ProfileLocal)
		s.scaleTimes(c)
		for name, pair := range map[string][2]time.Duration{"gossip": {base.GossipInterval, c.GossipInterval},
			"push/pull": {base.PushPullInterval, c.PushPullInterval}, "probe": {base.ProbeInterval, c.ProbeInterval},
			"probe timeout": {base.ProbeTimeout, c.ProbeTimeout}, "tcp": {base.TCPTimeout, c.TCPTimeout},
			"reclaim": {base.DeadNodeReclaimTime, c.DeadNodeReclaimTime}} {
			if pair[1] != time.Duration(float64(pair[0])*tt.want) {
				t.Errorf("scale %v: %s %s, want %s × %v", tt.scale, name, pair[1], pair[0], tt.want)
			}
		}
		if s.scaled(time.Second) != time.Duration(tt.want*float64(time.Second)) {
			t.Errorf("scale %v: scaled(1s) = %s", tt.scale, s.scaled(time.Second))
		}
	}
}
