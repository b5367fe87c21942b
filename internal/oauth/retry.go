package oauth

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// RetryPolicy says how often and how patiently a token request is retried after a connection
// failure, a 429 or a 5xx answer.
type RetryPolicy struct {
	// Max is the number of retries after the first attempt; 0 means none.
	Max int
	// Backoff is the wait before the first retry, doubled for each further one; zero means
	// 500ms. A Retry-After header replaces it.
	Backoff time.Duration
	// MaxRetryAfter is the longest Retry-After honoured; a server asking for more gets no
	// retry, and the error says how long it asked for. Zero means 30s.
	MaxRetryAfter time.Duration
	// Sleep waits for d or until ctx ends, returning ctx's error then; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultRetry is the policy used when a Request has none: two retries, 500ms then 1s apart.
var DefaultRetry = RetryPolicy{Max: 2}

// maxBackoff caps the exponential backoff.
const maxBackoff = 30 * time.Second

func (p *RetryPolicy) backoff(attempt int) time.Duration {
	d := p.Backoff
	if d <= 0 {
		d = 500 * time.Millisecond
	}
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

func (p *RetryPolicy) maxRetryAfter() time.Duration {
	if p.MaxRetryAfter > 0 {
		return p.MaxRetryAfter
	}
	return 30 * time.Second
}

func (p *RetryPolicy) sleep(ctx context.Context, d time.Duration) error {
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retryAfter parses a Retry-After value: delta-seconds, or an HTTP date when a clock is given.
// A date in the past means no wait.
func retryAfter(v string, now func() time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		var secs int64
		for i := 0; i < len(v); i++ {
			if v[i] < '0' || v[i] > '9' {
				return 0, false
			}
			if secs < 1<<31 {
				secs = secs*10 + int64(v[i]-'0')
			}
		}
		return time.Duration(min(secs, 1<<31)) * time.Second, true
	}
	if now == nil {
		return 0, false
	}
	when, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := when.Sub(now())
	if d < 0 {
		d = 0
	}
	return d.Round(time.Second), true
}
