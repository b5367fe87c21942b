package testenv

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestHeaderAlg(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	for _, tc := range []struct {
		name, token, want string
		wantErr           bool
	}{
		{"rs256", enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + ".e30.c2ln", "RS256", false},
		{"no alg", enc([]byte(`{"typ":"JWT"}`)) + ".e30.c2ln", "", false},
		{"no dot", enc([]byte(`{"alg":"HS256"}`)), "", true},
		{"padded base64", base64.URLEncoding.EncodeToString([]byte(`{"alg":"HS256","b":""}`)) + ".e30.", "", true},
		{"not json", enc([]byte(`alg=HS256`)) + ".e30.", "", true},
		{"json array", enc([]byte(`["HS256"]`)) + ".e30.", "", true},
		{"alg not a string", enc([]byte(`{"alg":256}`)) + ".e30.", "", true},
		{"empty", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := headerAlg(tc.token)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("headerAlg(%q) = %q, %v; want %q, error %v", tc.token, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func FuzzHeaderAlg(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
	f.Add("eyJhbGciOm51bGx9..")
	f.Add("....")
	f.Add("e30")
	f.Fuzz(func(t *testing.T, token string) {
		alg, err := headerAlg(token)
		if err != nil {
			if alg != "" {
				t.Fatalf("headerAlg(%q) returned alg %q with error %v", token, alg, err)
			}
			return
		}
		first, _, ok := strings.Cut(token, ".")
		if !ok {
			t.Fatalf("headerAlg(%q) accepted a token without a dot", token)
		}
		if _, err := base64.RawURLEncoding.DecodeString(first); err != nil {
			t.Fatalf("headerAlg(%q) accepted a header that is not base64url: %v", token, err)
		}
	})
}

func TestBoundedBuffer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		writes   []int
		wantLen  int
		overflow bool
	}{
		{"empty", nil, 0, false},
		{"under", []int{10, 20}, 30, false},
		{"exactly full", []int{MaxOutput}, MaxOutput, false},
		{"one too many", []int{MaxOutput, 1}, MaxOutput, true},
		{"big write", []int{10, MaxOutput}, MaxOutput, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b boundedBuffer
			for _, n := range tc.writes {
				if got, err := b.Write(bytes.Repeat([]byte("x"), n)); got != n || err != nil {
					t.Fatalf("Write(%d bytes) = %d, %v; want all accepted", n, got, err)
				}
			}
			if b.buf.Len() != tc.wantLen || b.overflow != tc.overflow {
				t.Fatalf("kept %d bytes, overflow %v; want %d, %v", b.buf.Len(), b.overflow, tc.wantLen, tc.overflow)
			}
		})
	}
}

func TestCleanEnv(t *testing.T) {
	got := cleanEnv([]string{"PATH=/bin", "JWTKIT_SECRET=s3cret", "NO_COLOR=", "HOME=/root", "JWTKIT_NOW=0"})
	want := []string{"PATH=/bin", "HOME=/root", "NO_COLOR=1"}
	if !slices.Equal(got, want) {
		t.Fatalf("cleanEnv = %q; want %q", got, want)
	}
}

func TestDescribe(t *testing.T) {
	long := strings.Repeat("a", 50) + strings.Repeat("b", 50)
	got := describe("/usr/bin/jose", []string{"jws", "ver", long})
	want := "jose jws ver " + strings.Repeat("a", 40) + "…" + strings.Repeat("b", 20)
	if got != want {
		t.Fatalf("describe = %q; want %q", got, want)
	}
}

func TestRun(t *testing.T) {
	sh := "/bin/sh"
	if _, err := os.Stat(sh); err != nil {
		t.Skipf("no %s: %v", sh, err)
	}
	t.Setenv("JWTKIT_SECRET", "leak")
	res := Run(t, "", []byte("in"), sh, "-c", `cat; printf '%s' "${JWTKIT_SECRET-unset}" >&2; exit 3`)
	if string(res.Stdout) != "in" || string(res.Stderr) != "unset" || res.Code != 3 {
		t.Fatalf("Run = stdout %q, stderr %q, code %d; want \"in\", \"unset\", 3", res.Stdout, res.Stderr, res.Code)
	}
}

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("RepoRoot = %s, which has no go.mod: %v", root, err)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "testenv")); err != nil {
		t.Fatalf("RepoRoot = %s, which is not this module's root: %v", root, err)
	}
}

func TestExitError(t *testing.T) {
	err := &ExitError{Cmd: "jose jws ver", Code: 1, Stderr: "Signature validation failed!\n"}
	if got, want := err.Error(), "jose jws ver: exit 1: Signature validation failed!"; got != want {
		t.Fatalf("Error() = %q; want %q", got, want)
	}
}
