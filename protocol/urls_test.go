package protocol

import "testing"

func TestHostKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://Node.Example/inbox", "node.example:443"},
		{"http://node.example/inbox", "node.example:80"},
		{"HTTP://node.example:8080/x", "node.example:8080"},
		{"https://node.example:443/", "node.example:443"},
		{"http://[::1]/inbox", "[::1]:80"},
		{"http://127.0.0.2:9000", "127.0.0.2:9000"},
		{"ftp://node.example/x", ""},
		{"/relative", ""},
		{"http://%zz", ""},
	}
	for _, tc := range tests {
		got, err := HostKey(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("HostKey(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestSameOriginURL(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://a.example/x", "https://A.example:443/y", true},
		{"https://a.example/x", "http://a.example/x", false},
		{"https://a.example/x", "https://a.example.evil/x", false},
		{"https://a.example:8443/", "https://a.example/", false},
		{"/x", "/x", false},
		{"http://%zz", "http://%zz", false},
	}
	for _, tc := range tests {
		if got := SameOriginURL(tc.a, tc.b); got != tc.want {
			t.Errorf("SameOriginURL(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"longer than ten", 10, "longer tha…"},
		{"aé", 2, "a…"}, // never inside a character
		{"a\xffb", 10, "a\uFFFDb"},
	}
	for _, tc := range tests {
		if got := Clip(tc.in, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
