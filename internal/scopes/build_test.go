package scopes

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"none", nil, nil},
		{"one", []string{"read:users"}, []string{"read:users"}},
		{"repeated flags", []string{"read:users", "write:posts"}, []string{"read:users", "write:posts"}},
		{"spaces and commas", []string{"a b,c", " d ,, e\t", "f\ng"}, []string{"a", "b", "c", "d", "e", "f", "g"}},
		{"duplicates keep first", []string{"b a", "a,c,b"}, []string{"b", "a", "c"}},
		{"only separators", []string{" , ", ""}, nil},
		{"case kept", []string{"Read read"}, []string{"Read", "read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Split(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Split(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name   string
		list   []string
		format Format
		want   string // JSON encoding of the claim value
	}{
		{"space", []string{"read:users", "write:posts"}, Space, `"read:users write:posts"`},
		{"space empty", nil, Space, `""`},
		{"space dedup", []string{"a", "b", "a", ""}, Space, `"a b"`},
		{"array", []string{"read:users", "write:posts"}, Array, `["read:users","write:posts"]`},
		{"array empty", nil, Array, `[]`},
		{"array keeps anything", []string{"repo", "public_repo", "a,b"}, Array, `["repo","public_repo","a,b"]`},
		// The shape of seed 000 (Auth0 API v2).
		{"structured seed", []string{"read:users", "create:users", "read:users_app_metadata", "create:users_app_metadata"}, Structured,
			`{"users":{"actions":["read","create"]},"users_app_metadata":{"actions":["read","create"]}}`},
		{"structured order and dedup", []string{"write:b", "read:a", "read:b", "write:b", "delete:a"}, Structured,
			`{"b":{"actions":["write","read"]},"a":{"actions":["read","delete"]}}`},
		{"structured first colon", []string{"read:users:email"}, Structured, `{"users:email":{"actions":["read"]}}`},
		{"structured empty", nil, Structured, `{}`},
		{"structured html kept", []string{"read:<a&b>"}, Structured, `{"<a&b>":{"actions":["read"]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Build(tt.list, tt.format)
			if err != nil {
				t.Fatalf("Build error: %v", err)
			}
			got := encode(t, v)
			if got != tt.want {
				t.Errorf("Build(%q, %s) = %s, want %s", tt.list, tt.format, got, tt.want)
			}
			// What Build writes, Extract reads back.
			payload := map[string]any{DefaultClaim(tt.format): decode(t, got)}
			back, _ := Extract(payload)
			if want := dedup(tt.list); !reflect.DeepEqual(back, want) && !(tt.format == Structured && sameSet(back, want)) {
				t.Errorf("Extract(Build(%q)) = %q", tt.list, back)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		list    []string
		format  Format
		wantMsg string
	}{
		{[]string{"read:users", "admin"}, Structured, `structured scopes need action:resource, got "admin"`},
		{[]string{":users"}, Structured, `got ":users"`},
		{[]string{"read:"}, Structured, `got "read:"`},
		{[]string{"a b"}, Space, `scope "a b" contains whitespace`},
		{[]string{"a\tb"}, Array, "contains whitespace"},
		{[]string{"a"}, Format("json"), `unknown scope format "json"`},
	}
	for _, tt := range tests {
		t.Run(tt.wantMsg, func(t *testing.T) {
			_, err := Build(tt.list, tt.format)
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("Build(%q, %s) error = %v, want %q", tt.list, tt.format, err, tt.wantMsg)
			}
			if failure.ExitCode(err) != 2 {
				t.Errorf("exit code = %d, want 2", failure.ExitCode(err))
			}
		})
	}
}

func encode(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func decode(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func dedup(list []string) []string {
	var out []string
	for _, s := range list {
		if s != "" && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range a {
		if !contains(b, s) {
			return false
		}
	}
	return true
}
