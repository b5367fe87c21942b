package issuer

import (
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/keys"
	bolt "go.etcd.io/bbolt"
)

// typedLogin logs bob in at the login page with typed claims (none for "") and returns the
// token response of the code.
func (f *fixture) typedLogin(t *testing.T, typed string) map[string]any {
	t.Helper()
	form := url.Values{"login_token": {loginToken(t, f.authorize(appAuthorize()))}, "action": {"login"}, "user": {"bob"}}
	if typed != "" {
		form.Set("claims", typed)
	}
	q := redirectParams(t, f.postTo("/authorize", form, nil), appRedirect)
	return tokens(t, f.exchange(q.Get("code")))
}

// refreshApp refreshes a token of app and returns the token response.
func (f *fixture) refreshApp(t *testing.T, rt string) map[string]any {
	t.Helper()
	return tokens(t, f.postForm(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {"app"}}, nil))
}

// userinfo returns the /userinfo answer for the access token at.
func (f *fixture) userinfo(t *testing.T, at string) map[string]any {
	t.Helper()
	r := httptestRequest(http.MethodGet, "/userinfo")
	r.Header.Set("Authorization", "Bearer "+at)
	w := f.do(r)
	if w.Code != http.StatusOK {
		t.Fatalf("/userinfo: %d %s", w.Code, w.Body)
	}
	return decodeJSON(t, w.Body.Bytes())
}

// wantTyped checks that c (an ID token's claims or a userinfo answer) holds bob's sub and the
// typed claims of loginClaimsTyped over bob's configured name, or, when typed is false, bob's
// own name and none of the typed ones.
func wantTyped(t *testing.T, what string, c map[string]any, typed bool) {
	t.Helper()
	if c["sub"] != "bob" {
		t.Errorf("%s: sub %v, want bob", what, c["sub"])
	}
	if !typed {
		if c["name"] != "Bob" || c["tenant"] != nil || c["roles"] != nil {
			t.Errorf("%s: %v, want bob's configured name and no typed claim", what, c)
		}
		return
	}
	if c["name"] != "Robert" || c["tenant"] != "acme" || mustJSON(c["roles"]) != `["admin"]` || mustJSON(c["org"]) != `{"id":7}` {
		t.Errorf("%s: %v, want the typed name Robert, tenant, roles and org", what, c)
	}
}

const loginClaimsTyped = `{"name":"Robert","tenant":"acme","roles":["admin"],"org":{"id":7}}`

func TestLoginClaimsCarriedMemory(t *testing.T) {
	testLoginClaimsCarried(t, func(*testing.T) Store { return NewMemoryStore(0) })
}

func TestLoginClaimsCarriedBolt(t *testing.T) {
	testLoginClaimsCarried(t, func(t *testing.T) Store { return newTestBolt(t)(0) })
}

// testLoginClaimsCarried: the claims typed at the login page are in the first ID token, in
// the ID tokens of each refresh of that grant and in /userinfo for every access token of it,
// over the user's configured claims; a login without typed claims gets the user's claims only.
func testLoginClaimsCarried(t *testing.T, newStore func(*testing.T) Store) {
	f := newCodeFixture(t)
	f = newFixture(t, func(c *Config) {
		c.Clients, c.Users, c.Store = f.srv.cfg.Clients, f.srv.cfg.Users, newStore(t)
	})
	f.srv.EnableLoginPage()

	for _, typed := range []bool{true, false} {
		text, what := loginClaimsTyped, "typed"
		if !typed {
			text, what = "", "untyped"
		}
		resp := f.typedLogin(t, text)
		_, c := f.verifyToken(t, resp["id_token"].(string))
		wantTyped(t, what+" first id_token", c, typed)
		wantTyped(t, what+" first userinfo", f.userinfo(t, resp["access_token"].(string)), typed)
		rt := resp["refresh_token"].(string)
		for i := range 2 {
			r := f.refreshApp(t, rt)
			_, c := f.verifyToken(t, r["id_token"].(string))
			wantTyped(t, what+" refreshed id_token", c, typed)
			if c["nonce"] != nil {
				t.Errorf("refresh %d: id_token has a nonce: %v", i, c)
			}
			wantTyped(t, what+" refreshed userinfo", f.userinfo(t, r["access_token"].(string)), typed)
			rt = r["refresh_token"].(string)
		}
		// The first access token still answers them.
		wantTyped(t, what+" first userinfo after refreshes", f.userinfo(t, resp["access_token"].(string)), typed)
	}
}

// TestLoginClaimsBoltRestart: with a bbolt store, a serve restarted on the same file and key
// still puts the typed claims in a refresh's ID token and /userinfo.
func TestLoginClaimsBoltRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	open := func() *BoltStore {
		s, err := OpenBoltStore(path, 0, testNow)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := newCodeFixture(t)
	key := base.srv.cfg.Keys
	start := func(s Store) *fixture {
		f := newFixture(t, func(c *Config) {
			c.Clients, c.Users, c.Store, c.Keys = base.srv.cfg.Clients, base.srv.cfg.Users, s, append([]keys.Key(nil), key...)
		})
		f.srv.EnableLoginPage()
		return f
	}
	s := open()
	f := start(s)
	resp := f.typedLogin(t, loginClaimsTyped)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open()
	defer s.Close()
	f = start(s)
	wantTyped(t, "userinfo after restart", f.userinfo(t, resp["access_token"].(string)), true)
	r := f.refreshApp(t, resp["refresh_token"].(string))
	_, c := f.verifyToken(t, r["id_token"].(string))
	wantTyped(t, "refreshed id_token after restart", c, true)
	wantTyped(t, "refreshed userinfo after restart", f.userinfo(t, r["access_token"].(string)), true)
}

// TestBoltStoreOldFamily: a state file written before families kept login claims (no
// loginclaims bucket, a family record without Claims) still opens and refreshes, without
// claims.
func TestBoltStoreOldFamily(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	exp := testNow.Add(time.Hour)
	s, err := OpenBoltStore(path, 10, testNow)
	if err != nil {
		t.Fatal(err)
	}
	old := `{"ID":"f","ClientID":"app","Subject":"bob","Scope":"openid","AuthTime":"2026-01-01T00:00:00Z",` +
		`"Current":"r1","Expires":"` + exp.Format(time.RFC3339) + `","Revoked":false,"JTIs":{"j1":"` + exp.Format(time.RFC3339) + `"}}`
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketLoginClaims); err != nil {
			return err
		}
		if err := tx.Bucket(bucketFamilies).Put([]byte("f"), []byte(old)); err != nil {
			return err
		}
		return tx.Bucket(bucketRefresh).Put([]byte("r1"), []byte(`"f"`))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenBoltStore(path, 10, testNow)
	if err != nil {
		t.Fatalf("opening a file of before login claims: %v", err)
	}
	defer s.Close()
	f, current, ok := s.Refresh("r1", testNow)
	if !ok || !current || f.Subject != "bob" || f.Claims != nil {
		t.Fatalf("old family = %+v current %v ok %v", f, current, ok)
	}
	if c := s.LoginClaims("j1", testNow); c != nil {
		t.Errorf("login claims of an old token = %v", c)
	}
	if _, st, err := s.RotateRefresh("r1", "r2", "j2", exp, testNow); err != nil || st != RefreshRotated {
		t.Fatalf("rotate an old family = %v %v", st, err)
	}
}
