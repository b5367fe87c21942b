package issuer

import (
	"testing"

	"github.com/jwtkit/jwtkit/internal/claims"
)

// FuzzLoginClaims feeds arbitrary text to the login page's claims parser: it never panics,
// an accepted object has no reserved claim and stays within the bounds, and its JSON reads
// back as the same object.
func FuzzLoginClaims(f *testing.F) {
	for _, s := range []string{"", `{}`, `{"tenant":"acme","roles":["a"],"n":1.5}`, `{"iss":"x"}`,
		`{"a":[[[[[[[[1]]]]]]]]}`, `{"a":"\"[{"}`, `[1]`, `{"a":1,"a":2}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		obj, problem := parseLoginClaims(text)
		if problem != "" {
			if obj != nil {
				t.Fatalf("refused with %q but returned %v", problem, obj)
			}
			return
		}
		if obj == nil {
			return
		}
		if len(text) > maxLoginClaimsBytes {
			t.Fatalf("accepted %d bytes", len(text))
		}
		for _, name := range obj.Keys() {
			if contains(reservedUserClaims, name) {
				t.Fatalf("accepted reserved claim %q", name)
			}
		}
		b, err := obj.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := claims.ParseObject(b)
		if err != nil || !back.Equal(obj) {
			t.Fatalf("%s reads back as %v (%v)", b, back, err)
		}
	})
}
