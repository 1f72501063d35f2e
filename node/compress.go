package node

import (
	"bufio"
	"compress/gzip"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/interlink-project/interlink-node/protocol/accept"
)

// Response compression (api.compress): JSON (every +json type too), HTML,
// CSS, JavaScript, SVG, XML and Turtle answers are gzipped for clients
// that accept gzip, once the body reaches compressMinSize (smaller bodies
// gain nothing). Everything else passes through untouched: a body already
// encoded, a range (206), a HEAD, 204 and 304, and the binary streams such
// as the backup download (application/octet-stream). A compressed answer's
// ETag is made weak (RFC 9110 §8.8.1: the bytes differ, the representation
// is the same), which If-None-Match still matches (weak comparison), so
// 304s keep working; a handler's Flush flushes the compressor, so a stream
// stays a stream. The standard library's gzip is enough here
// (docs/architecture.md).

// compressMinSize is the smallest body worth compressing.
const compressMinSize = 1024

// gzipPool holds writers at gzip.BestSpeed: on the real search answer it
// takes a third of the default level's CPU for 19 % more bytes
// (docs/benchmarks.md), as nginx defaults to level 1 too.
var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// compressible reports whether a Content-Type is worth compressing.
func compressible(contentType string) bool {
	mt := mediaType(contentType)
	switch {
	case mt == "":
		return false
	case strings.HasPrefix(mt, "text/"):
		return true
	case mt == "application/json", strings.HasSuffix(mt, "+json"), mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript", mt == "image/svg+xml":
		return true
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header accepts gzip
// (RFC 9110 §12.5.3: "gzip", its alias "x-gzip", or "*", the most specific
// with a q-value above 0).
func acceptsGzip(header string) bool {
	ranges := accept.Parse(header)
	for i := range ranges {
		if ranges[i].Value == "x-gzip" {
			ranges[i].Value = "gzip"
		}
	}
	return accept.Quality(ranges, "gzip") > 0
}

// compress gzips the answers that gain from it (see above).
func compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &gzipWriter{ResponseWriter: w, accept: acceptsGzip(r.Header.Get("Accept-Encoding")) &&
			r.Method != http.MethodHead && r.Header.Get("Range") == "", ifNoneMatch: r.Header.Get("If-None-Match")}
		next.ServeHTTP(cw, r)
		cw.finish() // not deferred: after a panic the recoverer answers, not a half-buffered body
	})
}

// gzipWriter decides at the first WriteHeader whether the answer is
// compressed, buffers the first compressMinSize bytes, and then either
// compresses or passes through.
type gzipWriter struct {
	http.ResponseWriter
	accept      bool
	ifNoneMatch string // the request's, to answer a 304 with the tag form the client holds

	status   int
	decided  bool   // WriteHeader was called (by the handler or implicitly)
	eligible bool   // compressible type and status, not yet encoded
	buf      []byte // the body while eligible and not yet compressMinSize
	gz       *gzip.Writer
	passed   bool // headers forwarded, body passing through uncompressed
}

func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) WriteHeader(code int) {
	if g.decided {
		return
	}
	if code < 200 { // informational: forward, the real header comes later
		g.ResponseWriter.WriteHeader(code)
		return
	}
	g.decided, g.status = true, code
	h := g.Header()
	if et := h.Get("ETag"); code == http.StatusNotModified && et != "" && !strings.HasPrefix(et, "W/") &&
		strings.Contains(g.ifNoneMatch, "W/"+et) {
		h.Set("ETag", "W/"+et) // the client holds the compressed answer's weak tag
	}
	typed := compressible(h.Get("Content-Type"))
	if typed {
		h.Add("Vary", "Accept-Encoding")
	}
	g.eligible = typed && g.accept && h.Get("Content-Encoding") == "" && h.Get("Content-Range") == "" &&
		code != http.StatusNoContent && code != http.StatusNotModified && code != http.StatusPartialContent
	if cl := h.Get("Content-Length"); g.eligible && cl != "" {
		if n, err := strconv.Atoi(cl); err == nil && n < compressMinSize {
			g.eligible = false
		}
	}
	if !g.eligible {
		g.passed = true
		g.ResponseWriter.WriteHeader(code)
	}
}

func (g *gzipWriter) Write(b []byte) (int, error) {
	if !g.decided {
		if g.Header().Get("Content-Type") == "" {
			g.Header().Set("Content-Type", http.DetectContentType(b))
		}
		g.WriteHeader(http.StatusOK)
	}
	switch {
	case g.passed:
		return g.ResponseWriter.Write(b)
	case g.gz != nil:
		return g.gz.Write(b)
	}
	g.buf = append(g.buf, b...)
	if len(g.buf) >= compressMinSize {
		if err := g.startGzip(); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

// startGzip sends the headers of a compressed answer and the buffered body.
func (g *gzipWriter) startGzip() error {
	h := g.Header()
	h.Set("Content-Encoding", "gzip")
	h.Del("Content-Length")
	if et := h.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
		h.Set("ETag", "W/"+et)
	}
	g.ResponseWriter.WriteHeader(g.status)
	g.gz = gzipPool.Get().(*gzip.Writer)
	g.gz.Reset(g.ResponseWriter)
	buf := g.buf
	g.buf = nil
	_, err := g.gz.Write(buf)
	return err
}

// finish ends the answer: the gzip stream's trailer, or a small buffered
// body sent as it is.
func (g *gzipWriter) finish() {
	switch {
	case g.gz != nil:
		_ = g.gz.Close()
		g.gz.Reset(nil)
		gzipPool.Put(g.gz)
		g.gz = nil
	case g.decided && !g.passed:
		g.passed = true
		g.ResponseWriter.WriteHeader(g.status)
		if len(g.buf) > 0 {
			_, _ = g.ResponseWriter.Write(g.buf)
		}
	}
}

// Flush sends what was written so far: a stream stays a stream.
func (g *gzipWriter) Flush() {
	if g.decided && !g.passed && g.gz == nil {
		if err := g.startGzip(); err != nil {
			return
		}
	}
	if g.gz != nil {
		_ = g.gz.Flush()
	}
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes a connection takeover through (never after a body started).
func (g *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := g.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("hijack is not supported")
}
