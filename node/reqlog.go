package node

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Request logs (log.requests, log.request_sample): every request is
// counted in the metrics; which are logged is the operator's choice.
// Durations are milliseconds as a number under a key ending in _ms, in text
// and JSON logs alike (LogDurationsAsMillis does the same for every other
// log line). Only the method, the path (never the query, which may carry a
// secret), the route, status, client address, size, duration and request
// id are logged: never a header, so never Authorization or a cookie.

// log.requests values.
const (
	logRequestsAll     = "all"
	logRequestsSampled = "sampled"
	logRequestsErrors  = "errors"
)

// requestLog decides which requests are logged.
type requestLog struct {
	mode   string
	sample uint64
	seen   atomic.Uint64 // successful requests, for sampling
}

// level is the level a request of status is logged at, and whether it is
// logged at all.
func (l *requestLog) level(status int) (slog.Level, bool) {
	switch {
	case status >= 500:
		return slog.LevelError, true
	case status >= 400:
		return slog.LevelInfo, true
	}
	switch l.mode {
	case logRequestsErrors:
		return 0, false
	case logRequestsSampled:
		return slog.LevelInfo, l.sample <= 1 || l.seen.Add(1)%l.sample == 1
	}
	return slog.LevelInfo, true
}

type problemKey struct{}

// noteProblem records the problem type a handler answered with, for the
// request's log line and the inbox metrics.
func noteProblem(ctx context.Context, name string) {
	if holder, ok := ctx.Value(problemKey{}).(*string); ok {
		*holder = name
	}
}

// instrument logs each request and records it in the metrics under its route name.
func (m middleware) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		route, problem := "unmatched", ""
		ctx := context.WithValue(context.WithValue(r.Context(), routeKey{}, &route), problemKey{}, &problem)
		next.ServeHTTP(sw, r.WithContext(ctx))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		d := time.Since(start)
		m.metrics.observe(route, r.Method, sw.status, d)
		if inboxRoutes[route] {
			m.metrics.countInbox(sw.status, problem)
		}
		level, ok := m.requests.level(sw.status)
		if !ok {
			return
		}
		attrs := []any{"method", r.Method, "path", r.URL.Path, "route", route, "status", sw.status, "client", clientIP(r.Context()),
			"bytes", sw.bytes, "duration_ms", millis(d), "request_id", requestID(r.Context())}
		if problem != "" {
			attrs = append(attrs, "problem", problem)
		}
		m.log.Log(r.Context(), level, "request", attrs...)
	})
}

// millis is d in milliseconds, to the microsecond.
func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// LogDurationsAsMillis is a slog ReplaceAttr that writes every duration as
// milliseconds (a number) under its key + "_ms", so that text and JSON
// logs give durations in one unit (JSON would write nanoseconds, text
// "1.5s").
func LogDurationsAsMillis(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindDuration {
		return a
	}
	key := a.Key
	if !strings.HasSuffix(key, "_ms") {
		key += "_ms"
	}
	return slog.Float64(key, millis(a.Value.Duration()))
}
