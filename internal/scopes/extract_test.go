package scopes

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/claims"
)

func TestExtract(t *testing.T) {
	tests := []struct {
		name       string
		payload    string
		want       []string
		wantShapes []string
	}{
		{"none", `{"sub":"x"}`, nil, nil},
		{"space", `{"scope":"read:users  write:posts"}`, []string{"read:users", "write:posts"}, []string{"space"}},
		{"scope array", `{"scope":["a","b"]}`, []string{"a", "b"}, []string{"array"}},
		{"scp string", `{"scp":"User.Read Mail.Send"}`, []string{"User.Read", "Mail.Send"}, []string{"scp"}},
		{"scp array", `{"scp":["openid","email"]}`, []string{"openid", "email"}, []string{"scp"}},
		{"scopes array (seed 004)", `{"scopes":["read:users","write:posts"]}`, []string{"read:users", "write:posts"}, []string{"array"}},
		{"scopes string", `{"scopes":"a b"}`, []string{"a", "b"}, []string{"space"}},
		// Seed 000: Auth0 API v2. A map loses member order, so resources come sorted.
		{"structured", `{"scopes":{"users_app_metadata":{"actions":["read","create"]},"users":{"actions":["read","create"]}}}`,
			[]string{"read:users", "create:users", "read:users_app_metadata", "create:users_app_metadata"}, []string{"structured"}},
		{"union in order", `{"scopes":["c","a"],"scp":"b a","scope":"a"}`, []string{"a", "b", "c"}, []string{"space", "scp", "array"}},
		{"array shape once", `{"scope":["a"],"scopes":["b"]}`, []string{"a", "b"}, []string{"array"}},
		{"non-strings ignored", `{"scope":["a",1,null,{"x":"y"},["z"],true,""],"scp":42}`, []string{"a"}, []string{"array"}},
		{"wrong types", `{"scope":7,"scp":null,"scopes":true}`, nil, nil},
		{"malformed structured", `{"scopes":{"a":"x","b":{"actions":"read"},"c":{"actions":[1,"","ok"]},"":{"actions":["x"]},"d":null}}`,
			[]string{"ok:c"}, []string{"structured"}},
		{"empty space string", `{"scope":"  "}`, nil, []string{"space"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var payload map[string]any
			dec := json.NewDecoder(strings.NewReader(tt.payload))
			dec.UseNumber()
			if err := dec.Decode(&payload); err != nil {
				t.Fatal(err)
			}
			got, shapes := Extract(payload)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("scopes = %q, want %q", got, tt.want)
			}
			if !reflect.DeepEqual(shapes, tt.wantShapes) {
				t.Errorf("shapes = %q, want %q", shapes, tt.wantShapes)
			}
		})
	}
}

func TestExtractObjectKeepsOrder(t *testing.T) {
	o, err := claims.ParseObject([]byte(`{"scp":"x","scopes":{"users_app_metadata":{"actions":["read"]},"users":{"actions":["create","read"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got, shapes := ExtractObject(o)
	if want := []string{"x", "read:users_app_metadata", "create:users", "read:users"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ExtractObject = %q, want %q", got, want)
	}
	if want := []string{"scp", "structured"}; !reflect.DeepEqual(shapes, want) {
		t.Errorf("shapes = %q, want %q", shapes, want)
	}
	if got, shapes := ExtractObject(nil); got != nil || shapes != nil {
		t.Errorf("ExtractObject(nil) = %q, %q", got, shapes)
	}
}

func TestExtractGoValues(t *testing.T) {
	v, err := Build([]string{"read:users", "create:users"}, Structured)
	if err != nil {
		t.Fatal(err)
	}
	got, shapes := Extract(map[string]any{"scope": []string{"a"}, "scopes": v})
	if want := []string{"a", "read:users", "create:users"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Extract = %q, want %q", got, want)
	}
	if want := []string{"array", "structured"}; !reflect.DeepEqual(shapes, want) {
		t.Errorf("shapes = %q, want %q", shapes, want)
	}
}

func TestMissingAndHasAny(t *testing.T) {
	granted := []string{"read:users", "write:posts", "repo"}
	missing := []struct {
		required, want []string
	}{
		{nil, nil},
		{[]string{"repo"}, nil},
		{[]string{"repo", "admin", "read:users", "admin", "delete:users"}, []string{"admin", "delete:users"}},
		{[]string{"Repo"}, []string{"Repo"}},
	}
	for _, tt := range missing {
		if got := Missing(granted, tt.required); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Missing(%q) = %q, want %q", tt.required, got, tt.want)
		}
	}
	if got := Missing(nil, []string{"a"}); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("Missing(nil, [a]) = %q", got)
	}
	hasAny := []struct {
		anyOf []string
		want  bool
	}{
		{[]string{"repo", "public_repo"}, true}, // seed 000's check_scopes
		{[]string{"public_repo", "admin"}, false},
		{nil, false},
		{[]string{"REPO"}, false},
	}
	for _, tt := range hasAny {
		if got := HasAny(granted, tt.anyOf); got != tt.want {
			t.Errorf("HasAny(%q) = %v, want %v", tt.anyOf, got, tt.want)
		}
	}
}

// FuzzScopesExtract decodes arbitrary JSON as a payload, the way decode and verify do, and
// checks that Extract never panics, returns no empty or repeated scope, and reports a shape
// whenever it returns scopes. It also reads the payload through claims.ParseObject.
func FuzzScopesExtract(f *testing.F) {
	for _, s := range []string{
		`{"scope":"a b"}`, `{"scp":["x",1]}`, `{"scopes":{"users":{"actions":["read",null]}}}`,
		`{"scopes":[{"a":1}],"scope":[[]]}`, `{"scopes":{"u":{"actions":{"a":"b"}}}}`, `[]`, `{"scope":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var payload map[string]any
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		if err := dec.Decode(&payload); err == nil {
			list, shapes := Extract(payload)
			check(t, list, shapes)
		}
		if o, err := claims.ParseObject(data); err == nil {
			list, shapes := ExtractObject(o)
			check(t, list, shapes)
		}
	})
}

func check(t *testing.T, list, shapes []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, s := range list {
		if s == "" || seen[s] {
			t.Fatalf("Extract returned an empty or repeated scope: %q", list)
		}
		seen[s] = true
	}
	if len(list) > 0 && len(shapes) == 0 {
		t.Fatalf("Extract returned scopes %q without a shape", list)
	}
}

func TestExtractClaim(t *testing.T) {
	payload := map[string]any{
		"permissions": []any{"read:repo", "write:repo", 5, "read:repo"},
		"perm_string": "a b  a",
		"perm_struct": map[string]any{"users": map[string]any{"actions": []any{"read"}}},
		"scope":       "not-read",
		"number":      5,
	}
	tests := []struct {
		claim string
		want  []string
	}{
		{"permissions", []string{"read:repo", "write:repo"}},
		{"perm_string", []string{"a", "b"}},
		{"perm_struct", []string{"read:users"}},
		{"scope", []string{"not-read"}},
		{"number", nil},
		{"absent", nil},
	}
	for _, tt := range tests {
		if got := ExtractClaim(payload, tt.claim); !slices.Equal(got, tt.want) {
			t.Errorf("ExtractClaim(%q) = %q, want %q", tt.claim, got, tt.want)
		}
	}
}
