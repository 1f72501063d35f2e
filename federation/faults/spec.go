package faults

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/interlink-project/interlink-node/protocol/strictjson"
)

// Limits of a Spec.
const (
	MaxPartitionEntries = 1024
	MaxLatency          = time.Minute
	MaxClockSkew        = 30 * 24 * time.Hour
	maxSpecBytes        = 256 << 10
)

// Spec is the JSON form of the faults, as PUT and GET
// /api/v1/testing/faults carry it.
type Spec struct {
	// Partition lists the peers this node can neither reach nor hear from:
	// "host:port" (an HTTP origin or a gossip address) or a bare "host"
	// (every port of that host).
	Partition []string `json:"partition"`
	// Latency is a Go duration slept before every outbound request, gossip
	// packet and gossip dial ("200ms"); empty or "0s" for none.
	Latency string `json:"latency"`
	// ClockSkew is a signed Go duration added to the node's clock ("+10m",
	// "-30s"); empty or "0s" for none.
	ClockSkew string `json:"clock_skew"`
}

// Faults are validated, normalised faults.
type Faults struct {
	Partition []string // lower-case "host:port" or "host", sorted, unique
	Latency   time.Duration
	ClockSkew time.Duration
}

// Spec renders f in its JSON form.
func (f Faults) Spec() Spec {
	p := f.Partition
	if p == nil {
		p = []string{}
	}
	skew := "0s"
	if f.ClockSkew > 0 {
		skew = "+" + f.ClockSkew.String()
	} else if f.ClockSkew < 0 {
		skew = f.ClockSkew.String()
	}
	return Spec{Partition: p, Latency: f.Latency.String(), ClockSkew: skew}
}

// FieldError names the field of a Spec that is wrong and the rule it breaks.
type FieldError struct {
	Field   string // "partition[2]", "latency", "clock_skew", or "" for the document
	Rule    string // "format", "range", "max-items", "json"
	Message string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return "faults: " + e.Message
	}
	return "faults: " + e.Field + ": " + e.Message
}

// Decode reads a Spec with the strict JSON decoder (unknown members,
// duplicate names, trailing data and wrong types are errors) and validates it. Errors are *FieldError.
func Decode(raw []byte) (Faults, error) {
	var s Spec
	if err := strictjson.Decode(raw, &s, strictjson.Options{MaxBytes: maxSpecBytes}); err != nil {
		var e *strictjson.Error
		if errors.As(err, &e) && e.Rule == strictjson.TooLarge {
			return Faults{}, &FieldError{Rule: "size", Message: fmt.Sprintf("the document is larger than %d bytes", maxSpecBytes)}
		}
		if !errors.As(err, &e) {
			return Faults{}, &FieldError{Rule: "json", Message: err.Error()}
		}
		fe := &FieldError{Rule: "json", Message: fmt.Sprintf("%s (%s at byte %d)", e.Detail, e.Rule, e.Offset)}
		if e.Path != strictjson.Root {
			fe.Field = e.Path
		}
		return Faults{}, fe
	}
	return s.Parse()
}

// Parse validates s. Errors are *FieldError.
func (s Spec) Parse() (Faults, error) {
	var f Faults
	if len(s.Partition) > MaxPartitionEntries {
		return f, &FieldError{Field: "partition", Rule: "max-items",
			Message: fmt.Sprintf("%d entries, at most %d", len(s.Partition), MaxPartitionEntries)}
	}
	seen := map[string]bool{}
	for i, e := range s.Partition {
		n, err := normaliseAddr(e)
		if err != nil {
			return Faults{}, &FieldError{Field: "partition[" + strconv.Itoa(i) + "]", Rule: "format", Message: err.Error()}
		}
		if !seen[n] {
			seen[n] = true
			f.Partition = append(f.Partition, n)
		}
	}
	slices.Sort(f.Partition)
	var err error
	if f.Latency, err = parseDuration(s.Latency, false); err != nil {
		return Faults{}, &FieldError{Field: "latency", Rule: "format", Message: err.Error()}
	}
	if f.Latency > MaxLatency {
		return Faults{}, &FieldError{Field: "latency", Rule: "range", Message: fmt.Sprintf("%s is more than %s", f.Latency, MaxLatency)}
	}
	if f.ClockSkew, err = parseDuration(s.ClockSkew, true); err != nil {
		return Faults{}, &FieldError{Field: "clock_skew", Rule: "format", Message: err.Error()}
	}
	if f.ClockSkew > MaxClockSkew || f.ClockSkew < -MaxClockSkew {
		return Faults{}, &FieldError{Field: "clock_skew", Rule: "range", Message: fmt.Sprintf("%s is beyond ±%s", f.ClockSkew, MaxClockSkew)}
	}
	return f, nil
}

// parseDuration reads a Go duration; signed allows a leading + or -.
func parseDuration(s string, signed bool) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if !signed && (strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+")) {
		return 0, fmt.Errorf("%q must not be signed (write e.g. 200ms)", s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (write e.g. 200ms, 10m, +10m, -30s)", s)
	}
	return d, nil
}

// normaliseAddr checks "host:port" or "host" and lower-cases it. A host is
// an IP address or a DNS name; a port is 1-65535.
func normaliseAddr(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", errors.New("empty address (write host:port or host)")
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		// A bare host, possibly an IPv6 literal.
		host, port = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"), ""
	}
	if !validHost(host) {
		return "", fmt.Errorf("%q is not host:port or host", s)
	}
	if port == "" {
		return host, nil
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("%q: port %q is not 1-65535", s, port)
	}
	return net.JoinHostPort(host, strconv.Itoa(p)), nil
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if ip := net.ParseIP(h); ip != nil {
		return true
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
