package diskcache

import (
	"net/http"
	"strings"
	"time"
)

// MaxLifetime caps how long any HTTP response is cached, whatever its Cache-Control says.
const MaxLifetime = 24 * time.Hour

// maxDelta is where delta-seconds values saturate: far beyond MaxLifetime, far below overflow.
const maxDelta = 7 * 24 * 3600

// Expiry decides until when an HTTP response with header h may be cached, counting from now.
// ok is false when it must not be cached: Cache-Control no-store or no-cache, an invalid
// max-age, or a max-age not greater than the response's Age. With a valid max-age the lifetime
// is max-age minus Age; without one it is def. The lifetime is capped at MaxLifetime.
//
// Only Cache-Control and Age are read. The first max-age directive counts (RFC 9111 §4.2.1);
// s-maxage and private are ignored, since this is a private cache.
func Expiry(h http.Header, now time.Time, def time.Duration) (expires time.Time, ok bool) {
	var (
		maxAge    string
		hasMaxAge bool
	)
	for _, line := range h.Values("Cache-Control") {
		for _, directive := range strings.Split(line, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(directive), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store", "no-cache":
				return time.Time{}, false
			case "max-age":
				if !hasMaxAge {
					maxAge, hasMaxAge = value, true
				}
			}
		}
	}
	lifetime := def
	if hasMaxAge {
		secs, valid := deltaSeconds(maxAge)
		if !valid {
			return time.Time{}, false
		}
		lifetime = time.Duration(secs) * time.Second
		if age, valid := deltaSeconds(h.Get("Age")); valid {
			lifetime -= time.Duration(age) * time.Second
		}
	}
	lifetime = min(lifetime, MaxLifetime)
	if lifetime <= 0 {
		return time.Time{}, false
	}
	return now.Add(lifetime), true
}

// deltaSeconds parses an RFC 9111 delta-seconds value (also quoted, as some servers send it),
// saturating at maxDelta.
func deltaSeconds(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	if v == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
		if n < maxDelta {
			n = n*10 + int64(v[i]-'0')
		}
	}
	return min(n, maxDelta), true
}
