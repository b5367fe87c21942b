package attacks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/attacks/forge"
)

// corpusToken reads the token of a committed corpus case.
func corpusToken(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, name+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseCase(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return c.Spec.Token
}

func testAttacker(t *testing.T) *forge.Attacker {
	t.Helper()
	a, err := forge.NewAttacker(corpusNow)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestForgeMatchesCorpus checks that Forge, given the genuine token a corpus case was made
// from, makes the very token the corpus holds under the same name: audit sends what the corpus
// proves jwtkit refuses.
func TestForgeMatchesCorpus(t *testing.T) {
	admin := `{"iss":"https://issuer.example","sub":"admin","aud":"api","iat":1795599000,"exp":1795602600}`
	alice := strings.Replace(admin, `"admin"`, `"alice"`, 1)
	genuine := func(header, payload string) forge.Genuine {
		g, err := forge.ParseGenuine(jws(header, payload, hs("HS256", []byte("attack-corpus-hmac-secret-of-40-bytes!!!"))))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	for _, tc := range []struct {
		genuine forge.Genuine
		names   []string
	}{
		{genuine(`{"alg":"HS256","typ":"JWT"}`, admin), []string{"alg-none-lower", "alg-none-capitalised", "alg-none-upper", "alg-none-mixed"}},
		{genuine(`{"alg":"HS256","typ":"JWT"}`, alice), []string{"signature-stripped"}},
		{genuine(`{"alg":"HS256"}`, admin), []string{"kid-path-traversal", "kid-sql-injection", "ecdsa-psychic-es256", "ecdsa-psychic-es384", "ecdsa-psychic-es512", "ecdsa-r-s-equal-order"}},
	} {
		vs, err := forge.Forge(tc.genuine, forge.Options{Attacker: testAttacker(t)})
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]forge.Variant{}
		for _, v := range vs {
			byName[v.Name] = v
		}
		for _, name := range tc.names {
			v, ok := byName[name]
			if !ok {
				t.Errorf("Forge makes no %s", name)
				continue
			}
			if want := corpusToken(t, name); v.Token != want {
				t.Errorf("%s:\n got %s\nwant %s", name, v.Token, want)
			}
		}
	}
}
