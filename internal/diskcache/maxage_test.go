package diskcache

import (
	"net/http"
	"testing"
	"time"
)

func TestExpiry(t *testing.T) {
	const def = 5 * time.Minute
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{"absent", http.Header{}, def, true},
		{"max-age", http.Header{"Cache-Control": {"public, max-age=600"}}, 10 * time.Minute, true},
		{"quoted max-age", http.Header{"Cache-Control": {`max-age="60"`}}, time.Minute, true},
		{"upper case", http.Header{"Cache-Control": {"MAX-AGE=60"}}, time.Minute, true},
		{"spaces", http.Header{"Cache-Control": {" private ,  max-age=60 "}}, time.Minute, true},
		{"capped at a day", http.Header{"Cache-Control": {"max-age=31536000"}}, MaxLifetime, true},
		{"absurd value saturates", http.Header{"Cache-Control": {"max-age=99999999999999999999999999"}}, MaxLifetime, true},
		{"first max-age counts", http.Header{"Cache-Control": {"max-age=60", "max-age=600"}}, time.Minute, true},
		{"age subtracted", http.Header{"Cache-Control": {"max-age=600"}, "Age": {"540"}}, time.Minute, true},
		{"age without max-age ignored", http.Header{"Age": {"540"}}, def, true},
		{"age beyond max-age", http.Header{"Cache-Control": {"max-age=600"}, "Age": {"600"}}, 0, false},
		{"bad age ignored", http.Header{"Cache-Control": {"max-age=600"}, "Age": {"-5"}}, 10 * time.Minute, true},
		{"s-maxage ignored", http.Header{"Cache-Control": {"s-maxage=60"}}, def, true},
		{"max-age zero", http.Header{"Cache-Control": {"max-age=0"}}, 0, false},
		{"negative max-age", http.Header{"Cache-Control": {"max-age=-1"}}, 0, false},
		{"empty max-age", http.Header{"Cache-Control": {"max-age="}}, 0, false},
		{"max-age without value", http.Header{"Cache-Control": {"max-age"}}, 0, false},
		{"fractional max-age", http.Header{"Cache-Control": {"max-age=1.5"}}, 0, false},
		{"no-store", http.Header{"Cache-Control": {"max-age=600, no-store"}}, 0, false},
		{"no-cache", http.Header{"Cache-Control": {"No-Cache"}}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Expiry(tt.header, t0, def)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if ok && !got.Equal(t0.Add(tt.want)) {
				t.Errorf("expires %v, want now+%v", got, tt.want)
			}
			if !ok && !got.IsZero() {
				t.Errorf("expiry %v with ok=false", got)
			}
		})
	}
	if _, ok := Expiry(http.Header{}, t0, 0); ok {
		t.Error("default of zero should not cache")
	}
	if got, _ := Expiry(http.Header{}, t0, 48*time.Hour); !got.Equal(t0.Add(MaxLifetime)) {
		t.Errorf("default not capped: %v", got)
	}
}

func FuzzExpiry(f *testing.F) {
	f.Add("max-age=600", "30")
	f.Add("no-store", "")
	f.Add(`public, max-age="12", s-maxage=5`, "x")
	f.Fuzz(func(t *testing.T, cacheControl, age string) {
		h := http.Header{"Cache-Control": {cacheControl}, "Age": {age}}
		got, ok := Expiry(h, t0, 5*time.Minute)
		if !ok {
			if !got.IsZero() {
				t.Fatalf("expiry %v with ok=false", got)
			}
			return
		}
		if !got.After(t0) || got.After(t0.Add(MaxLifetime)) {
			t.Fatalf("expiry %v outside (now, now+%v]", got, MaxLifetime)
		}
	})
}
