package verify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
)

// TestAttacks is the attack suite: each forged or malformed token is refused, with the reason
// that names the attack.
func TestAttacks(t *testing.T) {
	fx := fixtures()
	victimRSA := fx.rsa.Public()
	victimEC := fx.p256.Public()
	attacker := fx.p384 // a key the verifier does not trust
	attackerP256, err := keys.Generate(nil, "EC", 0, "P-256", "")
	if err != nil {
		t.Fatal(err)
	}
	payload := mustJSON(t, claimsAt(map[string]any{"sub": "admin"}))
	good := sign(t, fx.p256, "ES256", nil, claimsAt(nil))

	rsaPEM, err := keys.EncodePEM(victimRSA)
	if err != nil {
		t.Fatal(err)
	}
	hmacWith := func(secret []byte, header map[string]any) string {
		h := b64(mustJSON(t, header)) + "." + b64(payload)
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(h))
		return h + "." + b64(mac.Sum(nil))
	}
	unsigned := func(alg string, sig string) string {
		return b64(mustJSON(t, map[string]any{"alg": alg, "typ": "JWT"})) + "." + b64(payload) + "." + sig
	}
	attackerJWK, err := keys.MarshalJWK(attackerP256, false)
	if err != nil {
		t.Fatal(err)
	}
	var embedded map[string]any
	if err := json.Unmarshal(attackerJWK, &embedded); err != nil {
		t.Fatal(err)
	}
	ecSig := func(sig []byte) string {
		parts := strings.Split(good, ".")
		return parts[0] + "." + parts[1] + "." + b64(sig)
	}
	order := victimEC.JWK.Key.(*ecdsa.PublicKey).Curve.Params().N
	nBytes := make([]byte, 32)
	order.FillBytes(nBytes)
	derSig := func() []byte {
		parts := strings.Split(good, ".")
		digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		der, err := ecdsa.SignASN1(rand.Reader, fx.p256.JWK.Key.(*ecdsa.PrivateKey), digest[:])
		if err != nil {
			t.Fatal(err)
		}
		return der
	}()
	pssAutoSalt := func() string {
		h := b64(mustJSON(t, map[string]any{"alg": "PS256", "kid": fx.rsa.JWK.KeyID})) + "." + b64(payload)
		digest := sha256.Sum256([]byte(h))
		sig, err := rsa.SignPSS(rand.Reader, fx.rsa.JWK.Key.(*rsa.PrivateKey), crypto.SHA256, digest[:],
			&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		if err != nil {
			t.Fatal(err)
		}
		return h + "." + b64(sig)
	}()
	b64False := func() string {
		h := b64(mustJSON(t, map[string]any{"alg": "HS256", "b64": false, "crit": []string{"b64"}})) + ".unencoded"
		mac := hmac.New(sha256.New, fx.secret.JWK.Key.([]byte))
		mac.Write([]byte(h))
		return h + "." + b64(mac.Sum(nil))
	}()
	tamper := func(tok string, seg int, edit func([]byte) []byte) string {
		parts := strings.Split(tok, ".")
		raw, err := base64.RawURLEncoding.DecodeString(parts[seg])
		if err != nil {
			t.Fatal(err)
		}
		parts[seg] = b64(edit(raw))
		return strings.Join(parts, ".")
	}
	rsaPinned := fx.rsa.Public()
	rsaPinned.JWK.Algorithm = "RS256"
	encKey := fx.p256.Public()
	encKey.JWK.Use = "enc"
	encKey.JWK.KeyID = "enc-key"

	tests := []struct {
		name    string
		keys    []keys.Key
		policy  Policy
		tok     string
		code    string
		contain string
	}{
		{name: "alg none", keys: []keys.Key{victimRSA}, tok: unsigned("none", ""), code: CodeAlgNotAllowed, contain: "unsigned"},
		{name: "alg None", keys: []keys.Key{victimRSA}, tok: unsigned("None", ""), code: CodeAlgNotAllowed, contain: "unsigned"},
		{name: "alg NONE", keys: []keys.Key{victimRSA}, tok: unsigned("NONE", ""), code: CodeAlgNotAllowed, contain: "unsigned"},
		{name: "alg nOnE", keys: []keys.Key{victimRSA}, tok: unsigned("nOnE", ""), code: CodeAlgNotAllowed, contain: "unsigned"},
		{name: "alg none with a secret", keys: []keys.Key{fx.secret}, tok: unsigned("none", ""), code: CodeAlgNotAllowed, contain: "unsigned"},
		{name: "alg none with a signature", keys: []keys.Key{fx.secret}, tok: unsigned("none", "c2ln"), code: CodeAlgNotAllowed},
		{name: "HS256 signed with the RSA public key PEM", keys: []keys.Key{victimRSA},
			tok:  hmacWith(rsaPEM, map[string]any{"alg": "HS256", "kid": victimRSA.JWK.KeyID}),
			code: CodeAlgNotAllowed, contain: "RS/HS key-confusion"},
		{name: "HS256 key confusion with explicit RS256", keys: []keys.Key{victimRSA}, policy: Policy{Algs: []string{"RS256"}},
			tok: hmacWith(rsaPEM, map[string]any{"alg": "HS256"}), code: CodeAlgNotAllowed, contain: "HMAC algorithm is never accepted"},
		{name: "HS256 by kid of an RSA key next to a secret", keys: []keys.Key{victimRSA, fx.secret},
			tok:  hmacWith(rsaPEM, map[string]any{"alg": "HS256", "kid": victimRSA.JWK.KeyID}),
			code: CodeKeyMismatch, contain: "HS256 needs a secret"},
		{name: "embedded jwk", keys: []keys.Key{victimEC},
			tok:  sign(t, attackerP256, "ES256", map[string]any{"jwk": embedded, "kid": nil}, claimsAt(map[string]any{"sub": "admin"})),
			code: CodeBadSignature, contain: "the header's jwk is ignored"},
		{name: "embedded jwk with the victim's kid", keys: []keys.Key{victimEC},
			tok:  sign(t, attackerP256, "ES256", map[string]any{"jwk": embedded, "kid": victimEC.JWK.KeyID}, claimsAt(nil)),
			code: CodeBadSignature, contain: "jwtkit never takes keys from the token"},
		{name: "jku to another host", keys: []keys.Key{victimEC},
			tok:  sign(t, attackerP256, "ES256", map[string]any{"jku": "https://evil.example/jwks.json", "kid": "evil"}, claimsAt(nil)),
			code: CodeUnknownKid, contain: "the header's jku is ignored"},
		{name: "x5u and x5c", keys: []keys.Key{victimEC},
			tok:  sign(t, attackerP256, "ES256", map[string]any{"x5u": "https://evil.example/c.pem", "x5c": []string{"MIIB"}, "kid": nil}, claimsAt(nil)),
			code: CodeBadSignature, contain: "the header's x5u and x5c are ignored"},
		{name: "unknown kid", keys: []keys.Key{victimEC, fx.p384.Public()},
			tok:  sign(t, attackerP256, "ES256", map[string]any{"kid": "nope"}, claimsAt(nil)),
			code: CodeUnknownKid, contain: `token has kid "nope", expected one of ["` + victimEC.JWK.KeyID + `","` + fx.p384.JWK.KeyID + `"]`},
		{name: "tampered header", keys: []keys.Key{victimEC},
			tok: tamper(good, 0, func(b []byte) []byte {
				return []byte(strings.Replace(string(b), `"typ":"JWT"`, `"typ":"at+jwt"`, 1))
			}), code: CodeBadSignature, contain: "does not verify"},
		{name: "tampered payload", keys: []keys.Key{victimEC},
			tok: tamper(good, 1, func(b []byte) []byte {
				return []byte(strings.Replace(string(b), `"sub":"alice"`, `"sub":"admin"`, 1))
			}), code: CodeBadSignature, contain: "the token was altered or signed with another key"},
		{name: "tampered signature", keys: []keys.Key{victimEC},
			tok: tamper(good, 2, func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), code: CodeBadSignature},
		{name: "signed by another key with the same kid", keys: []keys.Key{victimRSA},
			tok:  sign(t, keyWithKid(fx.rsa2, victimRSA.JWK.KeyID), "RS256", nil, claimsAt(nil)),
			code: CodeBadSignature, contain: "does not verify with key"},
		{name: "ECDSA r=s=0", keys: []keys.Key{victimEC}, tok: ecSig(make([]byte, 64)), code: CodeBadSignature, contain: "CVE-2022-21449"},
		{name: "ECDSA r=N", keys: []keys.Key{victimEC}, tok: ecSig(append(append([]byte{}, nBytes...), nBytes...)), code: CodeBadSignature, contain: "curve order"},
		{name: "ECDSA DER signature", keys: []keys.Key{victimEC}, tok: ecSig(derSig), code: CodeBadSignature, contain: "not DER"},
		{name: "ECDSA truncated", keys: []keys.Key{victimEC}, tok: ecSig(make([]byte, 63)), code: CodeBadSignature, contain: "must be 64"},
		{name: "PSS with a salt longer than the hash", keys: []keys.Key{victimRSA}, tok: pssAutoSalt, code: CodeBadSignature, contain: "salt"},
		{name: "b64 false", keys: []keys.Key{fx.secret}, tok: b64False, code: CodeUnencoded, contain: "RFC 7797"},
		{name: "unknown crit", keys: []keys.Key{fx.p256},
			tok:  sign(t, fx.p256, "ES256", map[string]any{"crit": []string{"exp"}, "exp": 1}, claimsAt(nil)),
			code: CodeCrit, contain: `["exp"]`},
		{name: "crit naming an absent member", keys: []keys.Key{fx.p256},
			tok: sign(t, fx.p256, "ES256", map[string]any{"crit": []string{"b64"}}, claimsAt(nil)), code: CodeCrit},
		{name: "empty crit", keys: []keys.Key{fx.p256},
			tok: sign(t, fx.p256, "ES256", map[string]any{"crit": []string{}}, claimsAt(nil)), code: CodeCrit},
		{name: "crit b64 true is understood", keys: []keys.Key{fx.p256},
			tok: sign(t, fx.p256, "ES256", map[string]any{"crit": []string{"b64"}, "b64": true}, claimsAt(nil))},
		{name: "JWK alg pins RS256", keys: []keys.Key{rsaPinned},
			tok: sign(t, fx.rsa, "PS256", nil, claimsAt(nil)), code: CodeAlgNotAllowed},
		{name: "JWK alg pins RS256 under an explicit allow-list", keys: []keys.Key{rsaPinned, fx.p256}, policy: Policy{Algs: []string{"PS256", "ES256"}},
			tok: sign(t, fx.rsa, "PS256", nil, claimsAt(nil)), code: CodeKeyMismatch, contain: "RFC 8725"},
		{name: "encryption key chosen by kid", keys: []keys.Key{encKey, fx.p384},
			tok: sign(t, keyWithKid(fx.p256, "enc-key"), "ES256", nil, claimsAt(nil)), code: CodeAlgNotAllowed},
		{name: "ES384 header on a P-256 key", keys: []keys.Key{fx.p256, fx.p384.Public()},
			tok:  sign(t, keyWithKid(fx.p384, fx.p256.JWK.KeyID), "ES384", nil, claimsAt(nil)),
			code: CodeKeyMismatch, contain: "ES384 needs an EC P-384 key"},
		{name: "HMAC with another secret", keys: []keys.Key{fx.secret2},
			tok: sign(t, keyWithKid(fx.secret, fx.secret2.JWK.KeyID), "HS256", nil, claimsAt(nil)), code: CodeBadSignature},
		{name: "HMAC tag truncated", keys: []keys.Key{fx.secret},
			tok: tamper(sign(t, fx.secret, "HS256", nil, claimsAt(nil)), 2, func(b []byte) []byte { return b[:16] }), code: CodeBadSignature, contain: "must be 32"},
		{name: "RSA signature with a leading zero byte", keys: []keys.Key{victimRSA},
			tok: tamper(sign(t, fx.rsa, "RS256", nil, claimsAt(nil)), 2, func(b []byte) []byte { return append([]byte{0}, b...) }), code: CodeBadSignature, contain: "must be as long"},
		{name: "attacker key of another curve", keys: []keys.Key{victimEC},
			tok: sign(t, attacker, "ES384", map[string]any{"kid": nil}, claimsAt(nil)), code: CodeAlgNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, tt.keys, tt.policy, Options{})
			gotCode, msg := code(t, v, tt.tok)
			t.Log(msg)
			if gotCode != tt.code {
				t.Fatalf("code = %q (%s), want %q", gotCode, msg, tt.code)
			}
			if !strings.Contains(msg, tt.contain) {
				t.Fatalf("message %q does not contain %q", msg, tt.contain)
			}
		})
	}
}

// TestPSSSaltMatters shows that go-jose alone accepts the PSS token with a long salt, which the
// attack suite expects to be refused: the fixed-salt check is jwtkit's own.
func TestPSSSaltMatters(t *testing.T) {
	fx := fixtures()
	h := b64([]byte(`{"alg":"PS256"}`)) + "." + b64([]byte(`{"sub":"x"}`))
	digest := sha256.Sum256([]byte(h))
	sig, err := rsa.SignPSS(rand.Reader, fx.rsa.JWK.Key.(*rsa.PrivateKey), crypto.SHA256, digest[:],
		&rsa.PSSOptions{SaltLength: 100})
	if err != nil {
		t.Fatal(err)
	}
	tok := h + "." + b64(sig)
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.PS256})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify(publicOf(fx.rsa)); err != nil {
		t.Fatalf("go-jose refused the long-salt signature (%v); the test no longer shows anything", err)
	}
	if err := (Reference{}).CheckSignature(parse(t, tok), "PS256", publicOf(fx.rsa)); err == nil {
		t.Fatal("Reference accepted a PSS salt of 100 bytes")
	}
}

func TestRefusedForms(t *testing.T) {
	fx := fixtures()
	v := newVerifier(t, []keys.Key{fx.secret}, Policy{}, Options{})
	jwe := b64([]byte(`{"alg":"RSA-OAEP","enc":"A256GCM"}`)) + ".a2V5.aXY.Y2lwaGVy.dGFn"
	res := v.Verify(parse(t, jwe), now)
	if res.Valid {
		t.Fatal("a JWE was accepted")
	}
	err := res.Err()
	if failure.KindOf(err) != failure.KindUsage || failure.CodeOf(err) != CodeEncrypted ||
		err.Error() != "this is an encrypted token (JWE); verify handles signed tokens (JWS): open a nested one with --decrypt-key KEY" {
		t.Fatalf("JWE error = %v (%v, %s)", err, failure.KindOf(err), failure.CodeOf(err))
	}
	// Extra segments never reach the verifier: Parse refuses them, naming the count.
	good := sign(t, fx.secret, "HS256", nil, claimsAt(nil))
	for _, tok := range []string{good + ".x", good + ".x.y.z", "a.b", good + "."} {
		_, err := token.Parse(tok, 0)
		if err == nil || failure.CodeOf(err) != token.CodeMalformed || !strings.Contains(err.Error(), "segments") {
			t.Errorf("Parse(%d segments) = %v", strings.Count(tok, ".")+1, err)
		}
	}
}

// keyWithKid returns k with another kid.
func keyWithKid(k keys.Key, kid string) keys.Key {
	k.JWK.KeyID = kid
	return k
}

// TestCheckShape covers the structural rules for each key type.
func TestCheckShape(t *testing.T) {
	fx := fixtures()
	pub384 := publicOf(fx.p384).(*ecdsa.PublicKey)
	n := new(big.Int).Sub(pub384.Curve.Params().N, big.NewInt(1))
	sig := make([]byte, 96)
	n.FillBytes(sig[:48])
	sig[95] = 1
	if err := CheckShape("ES384", pub384, sig); err != nil {
		t.Fatalf("r = N-1, s = 1 is in range: %v", err)
	}
	if err := CheckShape("EdDSA", publicOf(fx.ed), make([]byte, 63)); err == nil {
		t.Fatal("a 63-byte EdDSA signature passed")
	}
	if err := CheckShape("HS512", fx.secret.JWK.Key, make([]byte, 32)); err == nil {
		t.Fatal("a 32-byte HS512 tag passed")
	}
}
