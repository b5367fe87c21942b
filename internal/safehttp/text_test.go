package safehttp

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain text", 100, "plain text"},
		{"  lead\r\n\ttrail  ", 100, "lead trail"},
		{"a\x00\x01\x7fb", 100, "a b"},
		{"caf\xc3\xa9", 100, "caf?"},
		{"\xe2\x80\xae\xc2\x85x", 100, "??x"},
		{"\xff\xfe", 100, "??"},
		{"abcdefghij", 10, "abcdefghij"},
		{"abcdefghijk", 10, "abcdefg..."},
		{"abcdef", 3, "abc"},
		{"", 10, ""},
	}
	for _, tt := range tests {
		if got := Sanitize(tt.in, tt.max); got != tt.want {
			t.Errorf("Sanitize(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestVerboseRedacts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "cookie-value-1"})
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"at-secret-2","refresh_token":"rt-secret-3","id_token":"it-secret-4",`+
			`"nested":{"keys":[{"kty":"RSA","d":"private-d-5","n":"public-n"}]},"token_type":"Bearer","expires_in":300}`)
	}))
	defer srv.Close()
	var log bytes.Buffer
	c := New(Options{Verbose: &log})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"},
		"client_secret": {"cs-secret-6"}, "client_assertion": {"ca-secret-7"}}
	h := http.Header{"Authorization": {"Basic YmFzaWMtc2VjcmV0LTg="}, "Dpop": {"dpop-secret-9"}}
	if _, err := c.PostForm(context.Background(), srv.URL+"/token?access_token=q-secret-10", form, h); err != nil {
		t.Fatal(err)
	}
	out := log.String()
	for _, secret := range []string{"cookie-value-1", "at-secret-2", "rt-secret-3", "it-secret-4", "private-d-5",
		"cs-secret-6", "ca-secret-7", "YmFzaWMtc2VjcmV0LTg", "dpop-secret-9", "q-secret-10"} {
		if strings.Contains(out, secret) {
			t.Errorf("verbose output shows %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"> POST " + srv.URL + "/token?access_token=%5Bredacted%5D", "> Authorization: [redacted]",
		"client_id=app", "grant_type=client_credentials", "< HTTP/1.1 200 OK", "< Content-Type: application/json",
		`"token_type":"Bearer"`, `"n":"public-n"`, `"expires_in":300`, "> User-Agent: jwtkit/dev"} {
		if !strings.Contains(out, want) {
			t.Errorf("verbose output lacks %q:\n%s", want, out)
		}
	}
}

func TestRedactBody(t *testing.T) {
	tests := []struct {
		ct, body, want string
	}{
		{"text/html", "<html>secret</html>", "[19 bytes of text/html not shown]"},
		{"", "opaque", "[6 bytes of unknown type not shown]"},
		{"application/json", `{"a":1`, "[6 bytes of application/json not shown]"},
		{"application/json", `[{"k":"x"},2]`, `[{"k":"[redacted]"},2]`},
		{"application/x-www-form-urlencoded", "access_token=x&scope=a+b", "access_token=%5Bredacted%5D&scope=a+b"},
		{"application/x-www-form-urlencoded", "a=%zz", "[5 bytes of application/x-www-form-urlencoded not shown]"},
		{"text/plain", strings.Repeat("[", 100) + strings.Repeat("]", 100), strings.Repeat("[", 33) + `"[redacted]"` + strings.Repeat("]", 33)},
	}
	for _, tt := range tests {
		if got := redactBody(tt.ct, []byte(tt.body)); got != tt.want {
			t.Errorf("redactBody(%q, %q) = %q, want %q", tt.ct, tt.body, got, tt.want)
		}
	}
	deep := strings.Repeat("[", 40) + `{"access_token":"x"}` + strings.Repeat("]", 40)
	if got := redactBody("application/json", []byte(deep)); strings.Contains(got, `"x"`) {
		t.Errorf("deep JSON shows the token: %s", got)
	}
	long := `{"a":"` + strings.Repeat("y", 20000) + `"}`
	if got := redactBody("application/json", []byte(long)); len(got) > maxLoggedBody+40 || !strings.HasSuffix(got, "more bytes]") {
		t.Errorf("long body not clipped: %d bytes", len(got))
	}
}

func FuzzRedactBody(f *testing.F) {
	f.Add("application/json", []byte(`{"access_token":"abc","keys":[{"d":"x"}]}`))
	f.Add("application/x-www-form-urlencoded", []byte("client_secret=abc&a=b"))
	f.Add("text/plain", []byte("hello\x1b[0m"))
	f.Add("application/json; charset=utf-8", []byte(`[[[[{"ID_TOKEN":"abc"}]]]]`))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		out := redactBody(ct, body)
		for i := 0; i < len(out); i++ {
			if out[i] < 0x20 || out[i] > 0x7e {
				t.Fatalf("non-printable byte %#x in %q", out[i], out)
			}
		}
		if len(out) > maxLoggedBody+64 {
			t.Fatalf("output of %d bytes", len(out))
		}
	})
}

func FuzzSanitize(f *testing.F) {
	f.Add("plain", 10)
	f.Add("a\r\nb\x00c\xff", 4)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			return
		}
		out := Sanitize(s, max)
		if len(out) > max {
			t.Fatalf("Sanitize(%q, %d) = %q is longer than %d", s, max, out, max)
		}
		for i := 0; i < len(out); i++ {
			if out[i] < 0x20 || out[i] > 0x7e {
				t.Fatalf("non-printable byte %#x in %q", out[i], out)
			}
		}
		if strings.HasPrefix(out, " ") || strings.Contains(out, "  ") {
			t.Fatalf("unclean spacing in %q", out)
		}
	})
}
