package interop_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/jwtkit/jwtkit/internal/testenv"
)

// signFormats lists the forms of k that s can sign with.
func signFormats(s side, alg string, k testenv.Keys) []format {
	var out []format
	for _, f := range []format{fmtSecret, fmtPEM, fmtJWK} {
		if privateFile(k, f) != "" && s.reads(alg, f, true) {
			out = append(out, f)
		}
	}
	return out
}

// verifyFormats lists the forms of k that s can verify with.
func verifyFormats(s side, alg string, k testenv.Keys) []format {
	var out []format
	for _, f := range []format{fmtSecret, fmtPEM, fmtJWK, fmtJWKS} {
		if publicFile(k, f) != "" && s.reads(alg, f, false) {
			out = append(out, f)
		}
	}
	return out
}

// roundTrip has signer make a token with each form of k it reads and verifier check the tokens
// with each public form of k it reads; then a copy of the first token with one flipped
// signature bit must be rejected by verifier as invalid (exit code 1). Subtests are named
// sign-FORM/verify-FORM and sign-FORM/tampered.
func roundTrip(t *testing.T, alg string, k testenv.Keys, signer, verifier side) {
	t.Helper()
	sforms, vforms := signFormats(signer, alg, k), verifyFormats(verifier, alg, k)
	if len(sforms) == 0 || len(vforms) == 0 {
		t.Fatalf("no key form in common: %s signs with %v, %s verifies with %v", signer.name(), sforms, verifier.name(), vforms)
	}
	sub := "minted-by-" + signer.name()
	for i, sf := range sforms {
		token := signer.sign(t, alg, k, sf, sub)
		// Every form is exercised once on each side: the first signing form against every
		// verifying form, the others against the first verifying form only.
		targets := vforms
		if i > 0 {
			targets = vforms[:1]
		}
		for _, vf := range targets {
			t.Run(fmt.Sprintf("sign-%s/verify-%s", sf, vf), func(t *testing.T) {
				payload, err := verifier.verify(t, alg, k, vf, token)
				if err != nil {
					t.Fatalf("%s rejected a %s token that %s signed with its %s key: %v", verifier.name(), alg, signer.name(), sf, err)
				}
				checkSubject(t, payload, sub)
			})
		}
		if i > 0 {
			continue
		}
		t.Run(fmt.Sprintf("sign-%s/tampered", sf), func(t *testing.T) {
			bad := flipSignatureBit(t, token)
			_, err := verifier.verify(t, alg, k, vforms[0], bad)
			var exit *testenv.ExitError
			if !errors.As(err, &exit) || exit.Code != 1 {
				t.Fatalf("%s on a %s token with a flipped signature bit: got %v, want a rejection with exit code 1", verifier.name(), alg, err)
			}
		})
	}
}

// checkSubject fails t unless payload is a JSON object whose sub is want.
func checkSubject(t testing.TB, payload []byte, want string) {
	t.Helper()
	var c struct {
		Sub *string `json:"sub"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatalf("payload is not a JSON object: %v: %q", err, payload)
	}
	if c.Sub == nil || *c.Sub != want {
		t.Fatalf("payload sub: got %q, want %q", payload, want)
	}
}
