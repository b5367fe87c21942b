package issuer

import (
	"slices"
	"strings"
	"testing"
)

func TestParseClientSpec(t *testing.T) {
	tests := []struct {
		in      string
		id      string
		secret  string
		scopes  []string // nil: any
		wantErr string
	}{
		{in: "ci:s3cret", id: "ci", secret: "s3cret"},
		{in: "ci:s3cret:read:users,write:users", id: "ci", secret: "s3cret", scopes: []string{"read:users", "write:users"}},
		{in: "ci:s3cret:read:users write:users, read:users", id: "ci", secret: "s3cret", scopes: []string{"read:users", "write:users"}},
		{in: "ci:env:CI_SECRET", id: "ci", secret: "env:CI_SECRET"},
		{in: "ci:env:CI_SECRET:admin", id: "ci", secret: "env:CI_SECRET", scopes: []string{"admin"}},
		{in: "ci:@secret.txt:read:users", id: "ci", secret: "@secret.txt", scopes: []string{"read:users"}},
		{in: "ci:b64:c2VjcmV0:a", id: "ci", secret: "b64:c2VjcmV0", scopes: []string{"a"}},
		{in: "ci:b64url:c2VjcmV0", id: "ci", secret: "b64url:c2VjcmV0"},
		{in: "ci:hex:00ff:a", id: "ci", secret: "hex:00ff", scopes: []string{"a"}},
		{in: "jwt-client:", id: "jwt-client", secret: ""},
		{in: "jwt-client::read:users", id: "jwt-client", secret: "", scopes: []string{"read:users"}},
		// The id stops at the first colon: a URL client id cannot be given this way.
		{in: "https://client.example/id:x", id: "https", secret: "//client.example/id", scopes: []string{"x"}},
		{in: "ci", wantErr: "has no secret"},
		{in: ":secret", wantErr: "client id is empty"},
		{in: "c i:secret", wantErr: "printable ASCII"},
		{in: "ci\x00:secret", wantErr: "printable ASCII"},
		{in: "ci:env:", wantErr: "env: needs a value"},
		{in: "ci:env::a", wantErr: "env: needs a value"},
		{in: "ci:@", wantErr: "needs a file path"},
		{in: "ci:-", wantErr: "stdin"},
		{in: "ci:s:", wantErr: "scope list after the secret is empty"},
		{in: "ci:s: , ", wantErr: "scope list after the secret is empty"},
		{in: `ci:s:a"b`, wantErr: "not a valid scope"},
		{in: "ci:" + strings.Repeat("x", 10) + ":" + "é", wantErr: "not a valid scope"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseClientSpec(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != tt.id || got.Secret != tt.secret || !slices.Equal(got.Scopes, tt.scopes) || (got.Scopes == nil) != (tt.scopes == nil) {
				t.Errorf("got %+v, want id %q secret %q scopes %q", got, tt.id, tt.secret, tt.scopes)
			}
		})
	}
}

func TestParseClientSpecNeverEchoesTheSecret(t *testing.T) {
	for _, in := range []string{"c i:topsecretvalue", "ci:topsecretvalue:", "ci:topsecretvalue:a\"b"} {
		_, err := ParseClientSpec(in)
		if err == nil {
			t.Fatalf("%q parsed", in)
		}
		if strings.Contains(err.Error(), "topsecretvalue") {
			t.Errorf("error %q shows the secret", err)
		}
	}
}

func TestParseClientJWKS(t *testing.T) {
	for _, tc := range []struct{ in, id, file, err string }{
		{in: "ci=keys.json", id: "ci", file: "keys.json"},
		{in: "ci=@keys.json", id: "ci", file: "@keys.json"},
		{in: "ci=a=b.json", id: "ci", file: "a=b.json"},
		{in: "ci", err: "use ID=FILE"},
		{in: "ci=", err: "use ID=FILE"},
		{in: "=f", err: "empty"},
	} {
		id, file, err := ParseClientJWKS(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: err = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || id != tc.id || file != tc.file {
			t.Errorf("%q: %q %q %v", tc.in, id, file, err)
		}
	}
}

func TestParseConfig(t *testing.T) {
	good := `{"clients":[
		{"id":"ci","secret":"env:CI_SECRET","scopes":["read:users","write:users","read:users"]},
		{"id":"jwt","jwks":"jwt.jwks.json","scopes":[]},
		{"id":"any","secret":"literal"}
	]}`
	cfg, err := ParseConfig([]byte(good), "serve.json")
	if err != nil {
		t.Fatal(err)
	}
	want := []ClientSpec{
		{ID: "ci", Secret: "env:CI_SECRET", Scopes: []string{"read:users", "write:users"}},
		{ID: "jwt", JWKS: "jwt.jwks.json", Scopes: []string{}},
		{ID: "any", Secret: "literal"},
	}
	if len(cfg.Clients) != len(want) {
		t.Fatalf("clients = %+v", cfg.Clients)
	}
	for i, w := range want {
		g := cfg.Clients[i]
		if g.ID != w.ID || g.Secret != w.Secret || g.JWKS != w.JWKS || !slices.Equal(g.Scopes, w.Scopes) || (g.Scopes == nil) != (w.Scopes == nil) {
			t.Errorf("client %d = %+v, want %+v", i, g, w)
		}
	}

	for _, tc := range []struct{ name, in, want string }{
		{"not JSON", `clients:`, "serve.json"},
		{"array", `[]`, "expected a JSON object"},
		{"unknown member", `{"clients":[],"issuer":"x"}`, "unknown field"},
		{"unknown client member", `{"clients":[{"id":"a","secret":"b","scope":"x"}]}`, "unknown field"},
		{"duplicate member", `{"clients":[{"id":"a","id":"b","secret":"x"}]}`, "id"},
		{"no id", `{"clients":[{"secret":"x"}]}`, "client 1"},
		{"no credentials", `{"clients":[{"id":"a"}]}`, "neither a secret nor jwks"},
		{"bad scope", `{"clients":[{"id":"a","secret":"b","scopes":["a b"]}]}`, "not a valid scope"},
		{"scopes not strings", `{"clients":[{"id":"a","secret":"b","scopes":[1]}]}`, "serve.json"},
		{"too many clients", `{"clients":[` + strings.Repeat(`{"id":"a","secret":"b"},`, MaxClients) + `{"id":"a","secret":"b"}]}`, "the limit is 1000"},
		{"too large", `{"clients":[],"x":"` + strings.Repeat("a", MaxConfigSize) + `"}`, "larger than 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.in), "serve.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

func FuzzParseClientSpec(f *testing.F) {
	for _, s := range []string{"ci:s", "ci:env:X:a,b", "ci:@f:read:users", "ci::a", "ci:", ":", "ci:hex:zz", "a:b:c:d:e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseClientSpec(s)
		if err != nil {
			return
		}
		if checkClientID(spec.ID) != nil || strings.Contains(spec.ID, ":") {
			t.Fatalf("accepted a bad id %q", spec.ID)
		}
		for _, sc := range spec.Scopes {
			if !validScopeToken(sc) {
				t.Fatalf("accepted a bad scope %q", sc)
			}
		}
		// The parts rebuild the input, up to how scopes were separated.
		if !strings.HasPrefix(s, spec.ID+":"+spec.Secret) {
			t.Fatalf("%q does not start with id %q and secret %q", s, spec.ID, spec.Secret)
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"clients":[{"id":"ci","secret":"env:X","scopes":["a"]}]}`))
	f.Add([]byte(`{"clients":[{"id":"j","jwks":"k.json"}]}`))
	f.Add([]byte(`{"clients":null}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig(data, "fuzz.json")
		if err != nil {
			return
		}
		for _, c := range cfg.Clients {
			if checkClientID(c.ID) != nil || (c.Secret == "" && c.JWKS == "") {
				t.Fatalf("accepted a bad client %+v", c)
			}
			for _, sc := range c.Scopes {
				if !validScopeToken(sc) {
					t.Fatalf("accepted a bad scope %q", sc)
				}
			}
		}
	})
}
