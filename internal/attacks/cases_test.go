package attacks

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"math/big"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/attacks/forge"
)

var (
	keyRSA      = []string{"--key", "rsa.pub"}
	keyRSAJWK   = []string{"--key", "rsa.jwk"}
	keyEC       = []string{"--key", "ec.pub"}
	keyEd       = []string{"--key", "ed.pub"}
	keySecret   = []string{"--secret", "@secret"}
	keyJWKS     = []string{"--jwks", "jwks.json"}
	decodeOK    = expectation{Exit: 0, Findings: []string{"unverified"}}
	decodeHMAC  = expectation{Exit: 0, Findings: []string{"shared_secret", "unverified"}}
	decodeBadAt = func(reason string) expectation {
		return expectation{Exit: 2, Code: "malformed_token", Reason: reason}
	}
	// decodeRefused is decode's answer to a token that reads as a JWT but must not be trusted
	// (duplicate members, unsafe JSON, an odd alg): exit 1, as verify's.
	decodeRefused = func(code, reason string) expectation {
		return expectation{Exit: 1, Code: code, Reason: reason}
	}
)

func args(a ...[]string) []string {
	var out []string
	for _, x := range a {
		out = append(out, x...)
	}
	return out
}

func invalid(a []string, code, reason string) expectation {
	return expectation{Args: a, Exit: 1, Code: code, Reason: reason}
}

func usage(a []string, code, reason string) expectation {
	return expectation{Args: a, Exit: 2, Code: code, Reason: reason}
}

func valid(a []string) expectation { return expectation{Args: a, Exit: 0} }

// buildCorpus makes every case. Keep it in the order of the list.
func buildCorpus(g *generator) []attackCase {
	var cs []attackCase
	add := func(name string, spec caseSpec) { cs = append(cs, g.add(name, spec)) }
	claims := g.claims()
	hs256 := `{"alg":"HS256","typ":"JWT"}`
	es256 := `{"alg":"ES256","typ":"JWT","kid":"ec-1"}`
	eddsa := `{"alg":"EdDSA","typ":"JWT","kid":"ed-1"}`
	goodHS := jws(hs256, claims, hs("HS256", g.secret))
	goodES := jws(es256, claims, g.es("ES256", g.p256))
	goodEd := jws(eddsa, claims, g.eddsa(g.ed))

	// Controls: genuine tokens pass, so a refusal below is about the attack, not the harness.
	add("control-rs256", caseSpec{Title: "a genuine RS256 token verifies", Why: "Control case: the victim's own RS256 token, verified with its public key as PEM, as JWK and through a JWK Set by kid.",
		Cite:   []string{"RFC 7515 §5.2", "RFC 7518 §3.3"},
		Token:  jws(`{"alg":"RS256","typ":"JWT","kid":"rsa-1"}`, claims, g.rs("RS256", g.rsa)),
		Verify: []expectation{valid(keyRSA), valid(keyRSAJWK), valid(keyJWKS)},
		Decode: decodeOK})
	add("control-ps256", caseSpec{Title: "a genuine PS256 token with the salt the size of the hash verifies", Why: "Control case for the PSS salt rule.",
		Cite:   []string{citePSS},
		Token:  jws(`{"alg":"PS256","kid":"rsa-1"}`, claims, g.ps("PS256", g.rsa, rsa.PSSSaltLengthEqualsHash)),
		Verify: []expectation{valid(keyRSA), valid(keyJWKS)}, Decode: decodeOK})
	add("control-es256", caseSpec{Title: "a genuine ES256 token verifies", Why: "Control case: r||s signature by the victim's P-256 key.",
		Cite:   []string{citeECDSAForm},
		Token:  goodES,
		Verify: []expectation{valid(keyEC), valid(keyJWKS)}, Decode: decodeOK})
	add("control-es512", caseSpec{Title: "a genuine ES512 token verifies", Why: "Control case: P-521 signatures are 132 bytes (66 + 66), not 130.",
		Cite:   []string{citeECDSAForm},
		Token:  jws(`{"alg":"ES512"}`, claims, g.es("ES512", g.p521)),
		Verify: []expectation{valid([]string{"--key", "ec521.pub"})}, Decode: decodeOK})
	add("control-eddsa", caseSpec{Title: "a genuine EdDSA token verifies", Why: "Control case: Ed25519.",
		Cite:   []string{"RFC 8037 §3.1"},
		Token:  goodEd,
		Verify: []expectation{valid(keyEd), valid(keyJWKS)}, Decode: decodeOK})
	add("control-hs256", caseSpec{Title: "a genuine HS256 token verifies", Why: "Control case: the shared secret read from a file (its one trailing newline is not part of it).",
		Cite:   []string{"RFC 7518 §3.2"},
		Token:  goodHS,
		Verify: []expectation{valid(keySecret)}, Decode: decodeHMAC})
	add("control-pasted-bearer", caseSpec{Title: "a token pasted with surrounding whitespace and a Bearer prefix verifies", Why: "Control case: decoration around the token is cleaned (quotes, Bearer, whitespace at the ends); nothing inside it is.",
		Cite:   []string{"RFC 6750 §2.1 (Authorization: Bearer)"},
		Token:  "  Authorization: Bearer " + goodHS + "\n",
		Verify: []expectation{valid(keySecret)}, Decode: decodeHMAC})

	// alg none in every casing.
	unsigned := func(alg string) string {
		return forge.Unsigned(forge.MustParseObject(hs256), g.claimsWith(`"sub":"admin"`), alg)
	}
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		add("alg-none-"+strings.ToLower(caseName(alg)), caseSpec{
			Title: "alg " + alg + " with an empty signature",
			Why:   "An unsecured JWT claims to need no signature. jwtkit verify never accepts one, whatever the casing (some libraries compared case-sensitively against \"none\" only), with any key, and refuses --alg none outright.",
			Cite:  []string{citeNone, citeNoneCVE},
			Token: unsigned(alg),
			Verify: []expectation{
				invalid(keyRSA, "alg_not_allowed", "which means unsigned"),
				invalid(keySecret, "alg_not_allowed", "which means unsigned"),
				invalid(args(keyRSA, []string{"--alg", "RS256"}), "alg_not_allowed", "which means unsigned"),
				usage(args(keyRSA, []string{"--alg", alg}), "usage", "never accepted"),
			},
			Decode: expectation{Exit: 0, Findings: []string{"alg_none"}},
		})
	}
	add("alg-none-with-signature", caseSpec{
		Title:  "alg none carrying a signature",
		Why:    "alg none with a non-empty signature segment (an HMAC tag copied from a real token) is still unsigned.",
		Cite:   []string{citeNone, "RFC 7518 §3.6: the JWS Signature of an unsecured JWS is the empty octet sequence"},
		Token:  forge.UnsignedWithSignature(forge.MustParseObject(`{"alg":"HS256"}`), claims, "none", parts(goodHS)[2]),
		Verify: []expectation{invalid(keySecret, "alg_not_allowed", "unsigned")},
		Decode: expectation{Exit: 0, Findings: []string{"alg_none"}},
	})

	// RS/HS key confusion.
	rsaPEM := g.files["rsa.pub"]
	add("confusion-hs256-rsa-pem", caseSpec{
		Title: "HS256 token whose HMAC key is the victim's RSA public key PEM",
		Why:   "The attacker MACs the token with the public key file as published. A verifier that lets the token's alg pick HMAC and feeds it the RSA key's bytes accepts it. jwtkit never allows an HMAC algorithm with a public key, refuses --alg HS256 with one, and refuses public-key material given as a --secret.",
		Cite:  []string{citeConfusion, citeAlgVerify},
		Token: forge.HMAC(forge.MustParseObject(hs256), g.claimsWith(`"sub":"admin"`), "HS256", rsaPEM),
		Verify: []expectation{
			invalid(keyRSA, "alg_not_allowed", "key-confusion"),
			usage(args(keyRSA, []string{"--alg", "HS256"}), "key|alg_mismatch", "HS256 needs a secret"),
			usage([]string{"--secret", "@rsa.pub"}, "key", "PEM block"),
			invalid(keyJWKS, "alg_not_allowed", "key-confusion"),
		},
		Decode: decodeHMAC,
	})
	add("confusion-hs256-rsa-pem-no-newline", caseSpec{
		Title:  "HS256 token whose HMAC key is the RSA public key PEM without its final newline",
		Why:    "Same attack with the other common byte form of the PEM file.",
		Cite:   []string{citeConfusion},
		Token:  forge.HMAC(forge.MustParseObject(hs256), g.claimsWith(`"sub":"admin"`), "HS256", trimNewline(rsaPEM)),
		Verify: []expectation{invalid(keyRSA, "alg_not_allowed", "key-confusion"), usage([]string{"--secret", "@rsa.pub"}, "key", "PEM block")},
		Decode: decodeHMAC,
	})
	add("confusion-hs256-rsa-jwk", caseSpec{
		Title: "HS256 token whose HMAC key is the victim's RSA public JWK",
		Why:   "The key-confusion attack with the JWK JSON as the HMAC secret, and with the kid the verifier uses.",
		Cite:  []string{citeConfusion, citeAlgVerify},
		Token: forge.HMAC(forge.MustParseObject(`{"alg":"RS256","kid":"rsa-1"}`), g.claimsWith(`"sub":"admin"`), "HS256", g.files["rsa.jwk"]),
		Verify: []expectation{
			invalid(keyRSAJWK, "alg_not_allowed", "key-confusion"),
			usage([]string{"--secret", "@rsa.jwk"}, "key", "JWK with kty RSA"),
			invalid(keyJWKS, "alg_not_allowed", "key-confusion"),
		},
		Decode: decodeHMAC,
	})
	add("confusion-hs256-rsa-jwk-bom", caseSpec{
		Title: "HS256 token whose HMAC key is the victim's RSA public JWK saved with a byte order mark",
		Why:   "Editors on Windows save JSON with a UTF-8 BOM, and jwtkit reads such a file as a key. Given as a --secret it is still public-key material and must be refused like the same JWK without the BOM.",
		Cite:  []string{citeConfusion, "RFC 8259 §8.1 (parsers may ignore a BOM)"},
		// --secret @file drops the file's one trailing newline; the attacker MACs what jwtkit reads.
		Token: jws(`{"alg":"HS256","kid":"rsa-1"}`, g.claimsWith(`"sub":"admin"`), hs("HS256", bytes.TrimSuffix(g.files["rsa-bom.jwk"], []byte("\n")))),
		Verify: []expectation{
			usage([]string{"--secret", "@rsa-bom.jwk"}, "key", "JWK with kty RSA"),
			invalid([]string{"--key", "rsa-bom.jwk"}, "alg_not_allowed", "key-confusion"),
		},
		Decode: decodeHMAC,
	})
	add("confusion-hs256-jwks", caseSpec{
		Title:  "HS256 token whose HMAC key is the whole published JWK Set",
		Why:    "The key-confusion attack with the JWKS document as the secret.",
		Cite:   []string{citeConfusion},
		Token:  forge.HMAC(forge.MustParseObject(`{"alg":"ES256","kid":"ec-1"}`), g.claimsWith(`"sub":"admin"`), "HS256", g.files["jwks.json"]),
		Verify: []expectation{invalid(keyJWKS, "alg_not_allowed", "key-confusion"), usage([]string{"--secret", "@jwks.json"}, "key", "JWK")},
		Decode: decodeHMAC,
	})
	der, err := x509.MarshalPKIXPublicKey(&g.rsa.PublicKey)
	if err != nil {
		g.t.Fatal(err)
	}
	add("confusion-hs256-rsa-der", caseSpec{
		Title:  "HS256 token whose HMAC key is the RSA public key in DER",
		Why:    "The key-confusion attack with the binary form of the public key, given inline as b64:.",
		Cite:   []string{citeConfusion},
		Token:  forge.HMAC(forge.MustParseObject(hs256), g.claimsWith(`"sub":"admin"`), "HS256", der),
		Verify: []expectation{usage([]string{"--secret", "b64:" + base64.StdEncoding.EncodeToString(der)}, "key", "DER public key")},
		Decode: decodeHMAC,
	})
	add("confusion-hs256-ec-pem", caseSpec{
		Title:  "HS256 token whose HMAC key is the victim's EC public key PEM",
		Why:    "The key-confusion attack against an ECDSA verifier.",
		Cite:   []string{citeConfusion},
		Token:  forge.HMAC(forge.MustParseObject(hs256), g.claimsWith(`"sub":"admin"`), "HS256", g.files["ec.pub"]),
		Verify: []expectation{invalid(keyEC, "alg_not_allowed", "key-confusion"), usage([]string{"--secret", "@ec.pub"}, "key", "PEM block")},
		Decode: decodeHMAC,
	})
	add("confusion-secret-and-key-together", caseSpec{
		Title:  "HS256 token MACed with the RSA PEM, verified with a real secret and the RSA key together",
		Why:    "With a secret and a public key both configured, HS256 is allowed for the secret only; the RSA key's bytes must never be tried as an HMAC key.",
		Cite:   []string{citeConfusion, citeAlgVerify},
		Token:  forge.HMAC(forge.MustParseObject(hs256), g.claimsWith(`"sub":"admin"`), "HS256", rsaPEM),
		Verify: []expectation{invalid(args(keySecret, keyRSA), "bad_signature", "does not verify")},
		Decode: decodeHMAC,
	})

	// Keys carried or pointed to by the header.
	add("embedded-jwk", caseSpec{
		Title:  "ES256 token signed by the attacker, carrying the attacker's public key in jwk",
		Why:    "A verifier that takes the key from the token's own jwk header accepts anything. jwtkit never takes keys from the token.",
		Cite:   []string{citeEmbeddedJWK, citeHeaderKeys},
		Token:  g.must(forge.EmbeddedJWK(forge.MustParseObject(`{"alg":"ES256","typ":"JWT"}`), g.claimsWith(`"sub":"admin"`), g.attackerEC, "")),
		Verify: []expectation{invalid(keyEC, "bad_signature", "jwk is ignored"), invalid(keyJWKS, "bad_signature", "jwk is ignored")},
		Decode: expectation{Exit: 0, Findings: []string{"header_jwk"}},
	})
	add("embedded-jwk-victim-kid", caseSpec{
		Title:  "attacker-signed ES256 token naming the victim's kid and embedding its own key under that kid",
		Why:    "The kid selects the victim's key from the trusted set; the embedded key is ignored, so the signature fails.",
		Cite:   []string{citeEmbeddedJWK},
		Token:  g.must(forge.EmbeddedJWK(forge.MustParseObject(`{"alg":"ES256"}`), g.claimsWith(`"sub":"admin"`), g.attackerEC, "ec-1")),
		Verify: []expectation{invalid(keyJWKS, "bad_signature", "jwk is ignored")},
		Decode: expectation{Exit: 0, Findings: []string{"header_jwk"}},
	})
	add("jku-elsewhere", caseSpec{
		Title:  "attacker-signed token whose jku points at the attacker's JWK Set",
		Why:    "Fetching keys from a URL named by the token lets the attacker supply the key (and makes the verifier request any URL). jwtkit never follows jku; the test's HTTP transport fails on any request.",
		Cite:   []string{citeHeaderKeys, "RFC 7515 §4.1.2"},
		Token:  g.must(forge.Sign(forge.MustParseObject(`{"alg":"ES256","kid":"attacker-1","jku":"https://attacker.example/jwks.json"}`), g.claimsWith(`"sub":"admin"`), g.attackerEC)),
		Verify: []expectation{invalid(keyJWKS, "unknown_kid", "jku is ignored"), invalid(keyEC, "bad_signature", "jku is ignored")},
		Decode: expectation{Exit: 0, Findings: []string{"header_jku"}},
	})
	add("jku-internal-ssrf", caseSpec{
		Title:  "token whose jku points at a cloud metadata address",
		Why:    "The server-side request forgery form of jku: jwtkit makes no request at all.",
		Cite:   []string{citeHeaderKeys},
		Token:  g.must(forge.Sign(forge.MustParseObject(`{"alg":"RS256","kid":"rsa-1","jku":"http://169.254.169.254/latest/meta-data/"}`), g.claimsWith(`"sub":"admin"`), g.attackerRSA)),
		Verify: []expectation{invalid(keyJWKS, "bad_signature", "jku is ignored")},
		Decode: expectation{Exit: 0, Findings: []string{"header_jku"}},
	})
	add("x5u-elsewhere", caseSpec{
		Title:  "attacker-signed token whose x5u points at the attacker's certificate",
		Why:    "Same as jku, for an X.509 URL.",
		Cite:   []string{citeHeaderKeys, "RFC 7515 §4.1.5"},
		Token:  g.must(forge.Sign(forge.MustParseObject(`{"alg":"ES256","x5u":"https://attacker.example/cert.pem"}`), g.claimsWith(`"sub":"admin"`), g.attackerEC)),
		Verify: []expectation{invalid(keyEC, "bad_signature", "x5u is ignored")},
		Decode: expectation{Exit: 0, Findings: []string{"header_x5u"}},
	})
	cert, err := forge.SelfSignedCert(g.attackerEC, g.now)
	if err != nil {
		g.t.Fatal(err)
	}
	add("x5c-self-signed", caseSpec{
		Title:  "attacker-signed token carrying the attacker's self-signed certificate in x5c",
		Why:    "A verifier that trusts the certificate in x5c without validating the chain against its own trust anchors accepts the attacker's key. jwtkit never takes keys from the token.",
		Cite:   []string{"RFC 7515 §4.1.6: the certificate chain must be validated", citeEmbeddedJWK},
		Token:  g.must(forge.X5C(forge.MustParseObject(`{"alg":"ES256"}`), g.claimsWith(`"sub":"admin"`), g.attackerEC, cert)),
		Verify: []expectation{invalid(keyEC, "bad_signature", "x5c is ignored")},
		Decode: expectation{Exit: 0, Findings: []string{"header_x5c"}},
	})

	// kid injection.
	add("kid-path-traversal", caseSpec{
		Title: "HS256 token with kid ../../../../dev/null, MACed with an empty key",
		Why:   "Against a verifier that reads the key from a file named by kid, /dev/null gives an empty HMAC key. jwtkit looks kid up in the keys it was given only: with a JWK Set the kid is unknown; with a secret the tag does not verify.",
		Cite:  []string{citeKid},
		Token: forge.HMAC(forge.MustParseObject(`{"alg":"HS256"}`).With("kid", forge.PathTraversalKids[0].Kid), g.claimsWith(`"sub":"admin"`), "HS256", nil),
		Verify: []expectation{
			invalid(keyJWKS, "unknown_kid|alg_not_allowed", ""),
			invalid(keySecret, "bad_signature", "does not verify"),
		},
		Decode: decodeHMAC,
	})
	add("kid-sql-injection", caseSpec{
		Title: "HS256 token whose kid is an SQL injection selecting a known secret",
		Why:   "Against a verifier that looks kid up in a database, the UNION makes the key a value the attacker chose. jwtkit compares kid as an opaque string.",
		Cite:  []string{citeKid},
		Token: forge.HMAC(forge.MustParseObject(`{"alg":"HS256"}`).With("kid", forge.SQLInjectionKid), g.claimsWith(`"sub":"admin"`), "HS256", []byte(forge.SQLInjectionSecret)),
		Verify: []expectation{
			invalid(keyJWKS, "unknown_kid|alg_not_allowed", ""),
			invalid(keySecret, "bad_signature", "does not verify"),
		},
		Decode: decodeHMAC,
	})
	add("kid-terminal-escapes", caseSpec{
		Title:  "token whose kid holds terminal escape sequences and a newline",
		Why:    "The kid is shown in the error; raw control characters would let a token rewrite the operator's terminal or forge log lines. Every run checks that stderr holds one printable line.",
		Cite:   []string{citeKid, "CWE-150 (improper neutralization of escape sequences)", "CWE-117 (log injection)"},
		Token:  jws(`{"alg":"ES256","kid":"\u001b[2J\u001b[32mtoken OK\u001b[0m\nok"}`, claims, g.es("ES256", g.attackerEC)),
		Verify: []expectation{invalid(keyJWKS, "unknown_kid", "unknown key")},
		Decode: decodeOK,
	})
	add("kid-very-long", caseSpec{
		Title:  "token whose kid is 20,000 characters",
		Why:    "Messages quote the kid; they must stay short whatever the token holds.",
		Cite:   []string{citeKid},
		Token:  jws(`{"alg":"ES256","kid":"`+strings.Repeat("k", 20000)+`"}`, claims, g.es("ES256", g.attackerEC)),
		Verify: []expectation{invalid(keyJWKS, "unknown_kid", "unknown key")},
		Decode: decodeOK,
	})

	// ECDSA signatures.
	for _, c := range []struct {
		alg  string
		size int
	}{{"ES256", 32}, {"ES384", 48}, {"ES512", 66}} {
		key := map[string][]string{"ES256": keyEC, "ES384": {"--key", "ec384.pub"}, "ES512": {"--key", "ec521.pub"}}[c.alg]
		add("ecdsa-psychic-"+strings.ToLower(c.alg), caseSpec{
			Title:  c.alg + " token with the signature r = 0, s = 0",
			Why:    "The psychic signature: verifiers that skip the range check on r and s accept all zeros for any message and any key.",
			Cite:   []string{citePsychic},
			Token:  g.must(forge.Psychic(forge.MustParseObject(`{"alg":"ES256"}`), g.claimsWith(`"sub":"admin"`), c.alg)),
			Verify: []expectation{invalid(key, "bad_signature", "psychic")},
			Decode: decodeOK,
		})
	}
	n := g.p256.Curve.Params().N
	add("ecdsa-r-s-equal-order", caseSpec{
		Title:  "ES256 token with r = s = n, the curve order",
		Why:    "n is 0 modulo n: another psychic signature that a range check against zero alone misses.",
		Cite:   []string{citePsychic},
		Token:  forge.PsychicOrder(forge.MustParseObject(`{"alg":"ES256"}`), g.claimsWith(`"sub":"admin"`)),
		Verify: []expectation{invalid(keyEC, "bad_signature", "curve order")},
		Decode: decodeOK,
	})
	add("ecdsa-der-signature", caseSpec{
		Title:  "ES256 token signed by the right key with an ASN.1 DER signature",
		Why:    "JWS fixes the form of an ECDSA signature to r||s; libraries that accept DER too accept two encodings of one signature. jwtkit refuses DER and says so.",
		Cite:   []string{citeECDSAForm},
		Token:  jws(es256, claims, g.esDER("ES256", g.p256)),
		Verify: []expectation{invalid(keyEC, "bad_signature", "not DER")},
		Decode: decodeOK,
	})
	add("ecdsa-truncated", caseSpec{
		Title:  "ES256 token whose signature lost its last byte",
		Why:    "A 63-byte signature cannot be r||s for P-256.",
		Cite:   []string{citeECDSAForm},
		Token:  parts(goodES)[0] + "." + parts(goodES)[1] + "." + segB(mustB64(parts(goodES)[2])[:63]),
		Verify: []expectation{invalid(keyEC, "bad_signature", "must be 64")},
		Decode: decodeOK,
	})
	sigES := mustB64(parts(goodES)[2])
	r, s := new(big.Int).SetBytes(sigES[:32]), new(big.Int).SetBytes(sigES[32:])
	add("ecdsa-malleable-s", caseSpec{
		Title:  "ES256 token re-signed as (r, n - s), the other valid signature",
		Why:    "ECDSA signatures are malleable: (r, n-s) verifies for the same message and key. The claims are unchanged, so this forges nothing; JWS does not require low-s and jwtkit, like go-jose and node's jose, accepts it. Recorded so a change is deliberate.",
		Cite:   []string{citeMalleable},
		Token:  parts(goodES)[0] + "." + parts(goodES)[1] + "." + segB(rawECDSA(g.p256.Curve, r, new(big.Int).Sub(n, s))),
		Verify: []expectation{valid(keyEC)},
		Decode: decodeOK,
	})
	add("ecdsa-curve-mismatch", caseSpec{
		Title:  "ES256 token verified with a P-384 key",
		Why:    "ES256 is P-256 with SHA-256; a P-384 key may only verify ES384.",
		Cite:   []string{citeAlgVerify, "RFC 7518 §3.4"},
		Token:  jws(`{"alg":"ES256"}`, claims, g.es("ES256", g.p384)),
		Verify: []expectation{invalid([]string{"--key", "ec384.pub"}, "alg_not_allowed|key_mismatch", "")},
		Decode: decodeOK,
	})

	// EdDSA.
	sigEd := mustB64(parts(goodEd)[2])
	add("eddsa-non-canonical-s", caseSpec{
		Title:  "EdDSA token whose S was replaced by S + L",
		Why:    "S + L satisfies the verification equation when S is not range-checked, giving a second signature for the same message (malleability). RFC 8032 requires S < L.",
		Cite:   []string{citeEd25519},
		Token:  parts(goodEd)[0] + "." + parts(goodEd)[1] + "." + segB(addL(sigEd)),
		Verify: []expectation{invalid(keyEd, "bad_signature", "")},
		Decode: decodeOK,
	})
	identitySig := make([]byte, ed25519.SignatureSize)
	identitySig[0] = 1 // R = the identity point, S = 0
	add("eddsa-small-order-key", caseSpec{
		Title: "EdDSA token with R = identity, S = 0, verified with a small-order public key",
		Why:   "With the identity point as public key, R = identity and S = 0 satisfies the cofactorless equation for every message. Such keys must be refused when loaded, from a JWK and from a PEM file alike.",
		Cite:  []string{citeSmallOrder, "SECURITY-NOTES: refuse weak (small-order) Ed25519 public keys from every source"},
		Token: seg(`{"alg":"EdDSA","kid":"weak-1"}`) + "." + seg(g.claimsWith(`"sub":"admin"`)) + "." + segB(identitySig),
		Verify: []expectation{
			usage([]string{"--key", "ed-small-order.jwk"}, "key", ""),
			usage([]string{"--key", "ed-small-order.pub"}, "key", ""),
		},
		Decode: decodeOK,
	})

	// RSA.
	add("rsa-1024-key", caseSpec{
		Title:  "RS256 token verified with a 1024-bit RSA key",
		Why:    "Keys under 2048 bits are refused from every source.",
		Cite:   []string{citeRSASize},
		Token:  jws(`{"alg":"RS256"}`, claims, g.rs("RS256", g.rsa1024)),
		Verify: []expectation{usage([]string{"--key", "rsa1024.pub"}, "key|weak_key", "2048")},
		Decode: decodeOK,
	})
	goodRS := jws(`{"alg":"RS256","kid":"rsa-1"}`, claims, g.rs("RS256", g.rsa))
	add("rsa-signature-short", caseSpec{
		Title:  "RS256 token whose signature lost its last byte",
		Why:    "An RSA signature is exactly the modulus size.",
		Cite:   []string{"RFC 8017 §8.2.2 step 1 (length checking)"},
		Token:  parts(goodRS)[0] + "." + parts(goodRS)[1] + "." + segB(mustB64(parts(goodRS)[2])[:255]),
		Verify: []expectation{invalid(keyRSA, "bad_signature", "256 bytes")},
		Decode: decodeOK,
	})
	add("pss-wrong-salt", caseSpec{
		Title:  "PS256 token signed by the right key with the longest salt",
		Why:    "go-jose verifies PSS with automatic salt detection; JWA fixes the salt to the hash size, and jwtkit enforces it.",
		Cite:   []string{citePSS},
		Token:  jws(`{"alg":"PS256","kid":"rsa-1"}`, claims, g.ps("PS256", g.rsa, rsa.PSSSaltLengthAuto)),
		Verify: []expectation{invalid(keyRSA, "bad_signature", "salt")},
		Decode: decodeOK,
	})
	add("alg-pinned-by-jwk", caseSpec{
		Title:  "PS256 token, correctly signed, verified with a JWK whose alg is RS256",
		Why:    "A JWK's alg pins the key to one algorithm; go-jose ignores it, jwtkit does not.",
		Cite:   []string{citeAlgVerify, "RFC 7517 §4.4"},
		Token:  jws(`{"alg":"PS256","kid":"rsa-1"}`, claims, g.ps("PS256", g.rsa, rsa.PSSSaltLengthEqualsHash)),
		Verify: []expectation{invalid([]string{"--key", "rsa-rs256.jwk"}, "alg_not_allowed|key_mismatch", "")},
		Decode: decodeOK,
	})
	add("key-use-enc", caseSpec{
		Title:  "RS256 token verified with a JWK marked use enc",
		Why:    "An encryption key must not verify signatures.",
		Cite:   []string{citeKeyUse},
		Token:  goodRS,
		Verify: []expectation{invalid([]string{"--key", "rsa-enc.jwk"}, "unknown_kid", `its "use" is "enc", not "sig"`)},
		Decode: decodeOK,
	})
	add("key-use-enc-capitals", caseSpec{
		Title:  "RS256 token verified with a JWK marked use ENC",
		Why:    "JWK use values are case-sensitive: only \"sig\" is a signing use, so \"ENC\" (or \"Sig\") is no key for signatures.",
		Cite:   []string{citeKeyUse},
		Token:  goodRS,
		Verify: []expectation{invalid([]string{"--key", "rsa-enc-capitals.jwk"}, "unknown_kid", `its "use" is "ENC", not "sig"`)},
		Decode: decodeOK,
	})
	add("key-ops-without-verify", caseSpec{
		Title:  "RS256 token verified with a JWK whose key_ops lack verify",
		Why:    "key_ops [encrypt, wrapKey] does not allow verification.",
		Cite:   []string{citeKeyUse},
		Token:  goodRS,
		Verify: []expectation{invalid([]string{"--key", "rsa-keyops.jwk"}, "unknown_kid", `do not include "verify"`)},
		Decode: decodeOK,
	})
	add("key-ops-sign-on-public-key", caseSpec{
		Title:  "RS256 token verified with a public JWK whose key_ops are [sign]",
		Why:    "A public key cannot sign; key_ops [sign] on it allows no verification (a private key's sign becomes its public half's verify, a public key's does not).",
		Cite:   []string{citeKeyUse},
		Token:  goodRS,
		Verify: []expectation{invalid([]string{"--key", "rsa-keyops-sign.jwk"}, "unknown_kid", `["sign"] do not include "verify"`)},
		Decode: decodeOK,
	})
	add("key-use-enc-beside-sig", caseSpec{
		Title:  "RS256 token verified with a set holding its kid twice, use enc first and use sig second",
		Why:    "The encryption key is passed over and the signing key with the same kid verifies: leaving keys out by use must not lose the right one.",
		Cite:   []string{citeKeyUse},
		Token:  goodRS,
		Verify: []expectation{valid([]string{"--jwks", "rsa-enc-sig.jwks.json"})},
		Decode: decodeOK,
	})
	add("hmac-weak-secret", caseSpec{
		Title: "HS256 token MACed with the 8-byte secret \"password\"",
		Why:   "Short secrets are brute-forced offline from one token; verify refuses them unless --allow-weak.",
		Cite:  []string{citeWeakHMAC},
		Token: jws(hs256, claims, hs("HS256", g.weakSecret)),
		Verify: []expectation{
			usage([]string{"--secret", "@weak-secret"}, "weak_key|key", "32"),
			valid([]string{"--secret", "@weak-secret", "--allow-weak"}),
		},
		Decode: decodeHMAC,
	})

	// Tampering.
	add("tampered-payload", caseSpec{
		Title:  "EdDSA token whose payload was changed from alice to admin",
		Why:    "The signature covers the payload segment.",
		Cite:   []string{citeTamper},
		Token:  g.must(forge.ReplacePayload(goodEd, g.claimsWith(`"sub":"admin"`))),
		Verify: []expectation{invalid(keyEd, "bad_signature", "does not verify")},
		Decode: decodeOK,
	})
	add("tampered-header", caseSpec{
		Title:  "EdDSA token whose header gained a typ",
		Why:    "The signature covers the header segment.",
		Cite:   []string{citeTamper},
		Token:  seg(`{"alg":"EdDSA","typ":"at+jwt","kid":"ed-1"}`) + "." + parts(goodEd)[1] + "." + parts(goodEd)[2],
		Verify: []expectation{invalid(keyEd, "bad_signature", "does not verify")},
		Decode: decodeOK,
	})
	flipped := append([]byte(nil), sigEd...)
	flipped[10] ^= 0x01
	add("tampered-signature", caseSpec{
		Title:  "EdDSA token with one signature bit flipped",
		Why:    "Any change to the signature fails.",
		Cite:   []string{citeTamper},
		Token:  parts(goodEd)[0] + "." + parts(goodEd)[1] + "." + segB(flipped),
		Verify: []expectation{invalid(keyEd, "bad_signature", "does not verify")},
		Decode: decodeOK,
	})
	add("signature-stripped", caseSpec{
		Title:  "HS256 token with the signature removed",
		Why:    "An empty signature is not a valid HMAC tag (some verifiers compared only the common prefix).",
		Cite:   []string{citeTamper, "RFC 7518 §3.2"},
		Token:  g.must(forge.StripSignature(goodHS)),
		Verify: []expectation{invalid(keySecret, "bad_signature", "0 bytes")},
		Decode: decodeHMAC,
	})
	add("signature-truncated-hmac", caseSpec{
		Title:  "HS256 token whose tag was cut to 16 bytes",
		Why:    "A truncated tag is refused by length before any comparison.",
		Cite:   []string{"RFC 7518 §3.2 (the full-length HMAC output)"},
		Token:  parts(goodHS)[0] + "." + parts(goodHS)[1] + "." + segB(mustB64(parts(goodHS)[2])[:16]),
		Verify: []expectation{invalid(keySecret, "bad_signature", "16 bytes")},
		Decode: decodeHMAC,
	})
	add("signature-trailing-bytes", caseSpec{
		Title:  "HS256 token whose correct tag has extra bytes appended",
		Why:    "Only the exact tag verifies.",
		Cite:   []string{"RFC 7518 §3.2"},
		Token:  parts(goodHS)[0] + "." + parts(goodHS)[1] + "." + segB(append(mustB64(parts(goodHS)[2]), 0, 0, 0, 0)),
		Verify: []expectation{invalid(keySecret, "bad_signature", "36 bytes")},
		Decode: decodeHMAC,
	})
	other := jws(hs256, g.claimsWith(`"sub":"admin"`), hs("HS256", []byte("another-secret-of-the-attacker-32b")))
	add("signature-from-other-token", caseSpec{
		Title:  "admin claims with the signature of the genuine alice token",
		Why:    "A signature moved from another token does not cover these claims.",
		Cite:   []string{citeTamper},
		Token:  parts(other)[0] + "." + parts(other)[1] + "." + parts(goodHS)[2],
		Verify: []expectation{invalid(keySecret, "bad_signature", "does not verify")},
		Decode: decodeHMAC,
	})
	add("alg-relabelled-hs384", caseSpec{
		Title: "HS256 tag under a header that says HS384",
		Why:   "The header's alg must match the tag; a 32-byte tag is not HS384. With the corpus's 40-byte secret HS384 is not even allowed (it needs 48 bytes); with --allow-weak it is, and the tag's size is wrong.",
		Cite:  []string{citeAlgVerify, "RFC 7518 §3.2"},
		Token: jws(`{"alg":"HS384"}`, claims, hs("HS256", g.secret)),
		Verify: []expectation{
			invalid(keySecret, "alg_not_allowed", "HS384"),
			invalid(args(keySecret, []string{"--allow-weak"}), "bad_signature", "48"),
		},
		Decode: decodeHMAC,
	})
	add("alg-lower-case", caseSpec{
		Title:  "token with alg hs256 in lower case",
		Why:    "Algorithm names are case-sensitive (RFC 7515 §4.1.1); hs256 is not HS256.",
		Cite:   []string{"RFC 7515 §4.1.1: the alg value is a case-sensitive string", citeAlgVerify},
		Token:  jws(`{"alg":"hs256"}`, claims, hs("HS256", g.secret)),
		Verify: []expectation{invalid(keySecret, "alg_not_allowed", "not allowed")},
		Decode: decodeOK,
	})
	add("alg-trailing-space", caseSpec{
		Title:  "token with alg \"HS256 \" (a trailing space)",
		Why:    "A lookalike algorithm name is not the algorithm.",
		Cite:   []string{"RFC 7515 §4.1.1"},
		Token:  jws(`{"alg":"HS256 "}`, claims, hs("HS256", g.secret)),
		Verify: []expectation{invalid(keySecret, "alg_not_allowed", "not allowed")},
		Decode: decodeOK,
	})

	// Encoding: padding, other alphabets, whitespace.
	padded := func(s string) string {
		for len(s)%4 != 0 {
			s += "="
		}
		return s
	}
	pHS := parts(goodHS)
	add("padding", caseSpec{
		Title:  "genuine token with base64 padding added to every segment",
		Why:    "JWS segments are base64url without padding; decoders that accept padding accept several encodings of one token.",
		Cite:   []string{citeBase64, citeCompact},
		Token:  padded(pHS[0]) + "." + padded(pHS[1]) + "." + padded(pHS[2]),
		Verify: []expectation{usage(keySecret, "malformed_token", "padding")},
		Decode: decodeBadAt("padding"),
	})
	stdTok := standardAlphabet(g)
	add("standard-base64-alphabet", caseSpec{
		Title:  "genuine token re-encoded with the standard base64 alphabet (+ and /)",
		Why:    "Only base64url is allowed; lenient decoders accept both alphabets.",
		Cite:   []string{citeBase64},
		Token:  stdTok,
		Verify: []expectation{usage(keySecret, "malformed_token", "standard base64")},
		Decode: decodeBadAt("standard base64"),
	})
	mid := len(pHS[1]) / 2
	add("whitespace-inside", caseSpec{
		Title:  "genuine token with a space inside the payload segment",
		Why:    "Whitespace inside a token is not cleaned away (only around it).",
		Cite:   []string{citeBase64},
		Token:  pHS[0] + "." + pHS[1][:mid] + " " + pHS[1][mid:] + "." + pHS[2],
		Verify: []expectation{usage(keySecret, "malformed_token", "space")},
		Decode: decodeBadAt("space"),
	})
	add("crlf-inside", caseSpec{
		Title:  "genuine token with CR LF inside the payload segment",
		Why:    "Go's base64 decoder silently skips \\r and \\n; a verifier relying on it accepts line-broken tokens, whose bytes differ from what was signed.",
		Cite:   []string{citeBase64, "SECURITY-NOTES: Go's base64 decoder skips \\r and \\n inside a segment"},
		Token:  pHS[0] + "." + pHS[1][:mid] + "\r\n" + pHS[1][mid:] + "." + pHS[2],
		Verify: []expectation{usage(keySecret, "malformed_token", "offset")},
		Decode: decodeBadAt("offset"),
	})
	add("tab-inside", caseSpec{
		Title:  "genuine token with a tab between segments",
		Why:    "Same rule for a tab.",
		Cite:   []string{citeBase64},
		Token:  pHS[0] + ".\t" + pHS[1] + "." + pHS[2],
		Verify: []expectation{usage(keySecret, "malformed_token", "offset")},
		Decode: decodeBadAt("offset"),
	})
	add("zero-width-space-inside", caseSpec{
		Title:  "genuine token with a zero-width space (U+200B) inside",
		Why:    "Invisible characters pasted with a token are refused, not skipped.",
		Cite:   []string{citeBase64},
		Token:  pHS[0] + "." + pHS[1][:mid] + "\u200b" + pHS[1][mid:] + "." + pHS[2],
		Verify: []expectation{usage(keySecret, "malformed_token", "offset")},
		Decode: decodeBadAt("offset"),
	})

	// Segment counts and serializations.
	add("two-segments", caseSpec{Title: "header and payload only", Why: "A JWS has three segments; without the signature segment there is nothing to verify.",
		Cite: []string{citeCompact}, Token: pHS[0] + "." + pHS[1],
		Verify: []expectation{usage(keySecret, "malformed_token", "2 segments")}, Decode: decodeBadAt("2 segments")})
	add("four-segments", caseSpec{Title: "genuine token with a fourth segment", Why: "Extra segments are refused, not ignored.",
		Cite: []string{citeCompact}, Token: goodHS + ".eyJhZG1pbiI6dHJ1ZX0",
		Verify: []expectation{usage(keySecret, "malformed_token", "4 segments")}, Decode: decodeBadAt("4 segments")})
	add("six-segments", caseSpec{Title: "six segments", Why: "Neither a JWS (3) nor a JWE (5).",
		Cite: []string{citeCompact, citeJWE}, Token: goodHS + "." + pHS[0] + "." + pHS[1] + "." + pHS[2],
		Verify: []expectation{usage(keySecret, "malformed_token", "6 segments")}, Decode: decodeBadAt("6 segments")})
	add("empty-token", caseSpec{Title: "an empty argument", Why: "Nothing is not a token.",
		Cite: []string{citeCompact}, Token: "",
		Verify: []expectation{usage(keySecret, "malformed_token", "empty")}, Decode: decodeBadAt("empty")})
	jsonSer := `{"payload":"` + pHS[1] + `","protected":"` + pHS[0] + `","signature":"` + pHS[2] + `"}`
	add("json-serialization", caseSpec{
		Title:  "genuine token in the flattened JWS JSON serialization",
		Why:    "go-jose's deprecated jose.ParseSigned accepts this form; a JWT is compact only.",
		Cite:   []string{citeJSONSer},
		Token:  jsonSer,
		Verify: []expectation{usage(keySecret, "malformed_token", "")},
		Decode: decodeBadAt(""),
	})

	// JSON of the header and payload.
	add("payload-array", caseSpec{
		Title:  "correctly signed token whose payload is a JSON array",
		Why:    "A JWS may sign any bytes, but a JWT's claims set is a JSON object.",
		Cite:   []string{citeJSONObject},
		Token:  jws(hs256, `[{"sub":"admin"}]`, hs("HS256", g.secret)),
		Verify: []expectation{usage(keySecret, "malformed_token", "array")},
		Decode: decodeBadAt("array"),
	})
	add("payload-string", caseSpec{
		Title:  "correctly signed token whose payload is a JSON string",
		Why:    "Same rule for a string.",
		Cite:   []string{citeJSONObject},
		Token:  jws(hs256, `"admin"`, hs("HS256", g.secret)),
		Verify: []expectation{usage(keySecret, "malformed_token", "not a JSON object")},
		Decode: decodeBadAt("not a JSON object"),
	})
	add("payload-trailing-data", caseSpec{
		Title:  "correctly signed token whose payload has data after the object",
		Why:    "Parsers that stop at the end of the first value see different claims from parsers that reject the rest.",
		Cite:   []string{citeJSONObject, "RFC 8725 §2.6"},
		Token:  jws(hs256, claims+`{"sub":"admin"}`, hs("HS256", g.secret)),
		Verify: []expectation{usage(keySecret, "malformed_token", "payload")},
		Decode: decodeBadAt("payload"),
	})
	add("payload-not-json", caseSpec{
		Title:  "correctly signed token whose payload is not JSON",
		Why:    "Plain text is not a claims set.",
		Cite:   []string{citeJSONObject},
		Token:  jws(hs256, `sub=admin`, hs("HS256", g.secret)),
		Verify: []expectation{usage(keySecret, "malformed_token", "not JSON")},
		Decode: decodeBadAt("not JSON"),
	})
	add("duplicate-claim", caseSpec{
		Title:  "correctly signed token with sub twice: alice, then admin",
		Why:    "Parsers disagree on which duplicate wins (first, last, error): a gateway and the API behind it can read different subjects. jwtkit refuses the token.",
		Cite:   []string{citeDuplicate},
		Token:  jws(hs256, g.claimsWith(`"sub":"alice","sub":"admin"`), hs("HS256", g.secret)),
		Verify: []expectation{invalid(keySecret, "duplicate_member", "twice")},
		Decode: decodeRefused("duplicate_member", "twice"),
	})
	add("duplicate-claim-escaped", caseSpec{
		Title:  "correctly signed token with sub and \\u0073ub",
		Why:    "The same duplicate written with a \\u escape, which a byte comparison misses.",
		Cite:   []string{citeDuplicate},
		Token:  jws(hs256, g.claimsWith(`"sub":"alice","\u0073ub":"admin"`), hs("HS256", g.secret)),
		Verify: []expectation{invalid(keySecret, "duplicate_member", "twice")},
		Decode: decodeRefused("duplicate_member", "twice"),
	})
	add("duplicate-header-alg", caseSpec{
		Title:  "header with alg twice: HS256, then none",
		Why:    "Which alg a verifier enforces must not depend on its JSON parser.",
		Cite:   []string{citeDuplicate, citeNone},
		Token:  jws(`{"alg":"HS256","alg":"none"}`, claims, hs("HS256", g.secret)),
		Verify: []expectation{invalid(keySecret, "duplicate_member", "twice")},
		Decode: decodeRefused("duplicate_member", "twice"),
	})
	add("duplicate-nested-member", caseSpec{
		Title:  "correctly signed token with a duplicate member inside a nested claim",
		Why:    "Ambiguous JSON is refused at any depth: an authorization claim such as roles.admin must read the same everywhere.",
		Cite:   []string{"RFC 8259 §4 (names within an object should be unique; behaviour otherwise is unpredictable)", "RFC 8725 §2.6"},
		Token:  jws(hs256, g.claimsWith(`"sub":"alice","roles":{"admin":false,"admin":true}`), hs("HS256", g.secret)),
		Verify: []expectation{invalid(keySecret, "duplicate_member", "twice")},
		Decode: decodeRefused("duplicate_member", "twice"),
	})
	add("invalid-utf8", caseSpec{
		Title:  "correctly signed token whose payload has an invalid UTF-8 byte",
		Why:    "go-jose and encoding/json replace invalid UTF-8 with U+FFFD, so two different payloads read alike. jwtkit refuses it.",
		Cite:   []string{citeUTF8, "SECURITY-NOTES: go-jose replaces invalid UTF-8 instead of rejecting it"},
		Token:  jws(hs256, g.claimsWith("\"sub\":\"adm\xffin\""), hs("HS256", g.secret)),
		Verify: []expectation{usage(keySecret, "malformed_token", "UTF-8")},
		Decode: decodeBadAt("UTF-8"),
	})
	add("lone-surrogate", caseSpec{
		Title:  "correctly signed token with a lone UTF-16 surrogate escape",
		Why:    "\\ud800 alone cannot be decoded faithfully; decoders replace it, again merging distinct payloads.",
		Cite:   []string{citeUTF8},
		Token:  jws(hs256, g.claimsWith(`"sub":"admin\ud800"`), hs("HS256", g.secret)),
		Verify: []expectation{invalid(keySecret, "unsafe_json", "surrogate")},
		Decode: decodeRefused("unsafe_json", "surrogate"),
	})
	add("bom-before-payload", caseSpec{
		Title:  "correctly signed token whose payload starts with a UTF-8 byte order mark",
		Why:    "JSON text must not begin with a BOM when sent; accepting it in some parsers and not others splits verdicts.",
		Cite:   []string{"RFC 8259 §8.1", citeJSONObject},
		Token:  jws(hs256, "\ufeff"+claims, hs("HS256", g.secret)),
		Verify: []expectation{usage(keySecret, "malformed_token", "")},
		Decode: decodeBadAt(""),
	})
	add("deep-nesting", caseSpec{
		Title:  "correctly signed token with claims nested 1,000 deep",
		Why:    "Deep nesting exhausts recursive parsers' stacks; jwtkit caps the depth at 64.",
		Cite:   []string{"RFC 8259 §9 (implementations may limit nesting depth)", "go-jose v4.1.8 added a JSON depth cap"},
		Token:  jws(hs256, `{"a":`+strings.Repeat(`[`, 1000)+strings.Repeat(`]`, 1000)+`}`, hs("HS256", g.secret)),
		Verify: []expectation{invalid(keySecret, "unsafe_json", "deeper")},
		Decode: decodeRefused("unsafe_json", "deeper"),
	})
	add("header-alg-missing", caseSpec{
		Title:  "header without alg",
		Why:    "Every JWS header names its algorithm.",
		Cite:   []string{"RFC 7515 §4.1.1 (alg must be present)"},
		Token:  jws(`{"typ":"JWT"}`, claims, hs("HS256", g.secret)),
		Verify: []expectation{invalid(keySecret, "bad_header", "no \"alg\"")},
		Decode: decodeRefused("bad_header", "alg"),
	})
	add("header-alg-not-string", caseSpec{
		Title:  "header whose alg is an array",
		Why:    "alg is a string; an array could be read as an allow-list by a careless verifier.",
		Cite:   []string{"RFC 7515 §4.1.1"},
		Token:  jws(`{"alg":["HS256","none"]}`, claims, hs("HS256", g.secret)),
		Verify: []expectation{invalid(keySecret, "bad_header", "not a string")},
		Decode: decodeRefused("bad_header", "not a string"),
	})

	// crit and b64.
	add("crit-unknown", caseSpec{
		Title:  "crit naming a parameter jwtkit does not understand",
		Why:    "A critical extension the recipient does not implement must make it reject the token.",
		Cite:   []string{citeCrit},
		Token:  jws(`{"alg":"ES256","kid":"ec-1","crit":["http://example.invalid/must-check"],"http://example.invalid/must-check":true}`, claims, g.es("ES256", g.p256)),
		Verify: []expectation{invalid(keyEC, "crit", "critical")},
		Decode: expectation{Exit: 0, Findings: []string{"crit"}},
	})
	add("crit-empty", caseSpec{
		Title:  "crit as an empty list",
		Why:    "Producers must not send an empty crit; the recipient may reject it, and jwtkit does.",
		Cite:   []string{citeCrit},
		Token:  jws(`{"alg":"ES256","kid":"ec-1","crit":[]}`, claims, g.es("ES256", g.p256)),
		Verify: []expectation{invalid(keyEC, "crit", "critical")},
		Decode: expectation{Exit: 0, Findings: []string{"crit"}},
	})
	add("crit-registered-name", caseSpec{
		Title:  "crit listing alg, a parameter of the JWS specification",
		Why:    "crit must not list names the JWS specification defines; the recipient may reject it.",
		Cite:   []string{citeCrit},
		Token:  jws(`{"alg":"ES256","kid":"ec-1","crit":["alg"]}`, claims, g.es("ES256", g.p256)),
		Verify: []expectation{invalid(keyEC, "crit", "critical")},
		Decode: expectation{Exit: 0, Findings: []string{"crit"}},
	})
	add("crit-absent-member", caseSpec{
		Title:  "crit listing b64 without a b64 member",
		Why:    "Every name in crit must be present in the header.",
		Cite:   []string{citeCrit},
		Token:  jws(`{"alg":"ES256","kid":"ec-1","crit":["b64"]}`, claims, g.es("ES256", g.p256)),
		Verify: []expectation{invalid(keyEC, "crit", "critical")},
		Decode: expectation{Exit: 0, Findings: []string{"crit"}},
	})
	add("crit-b64-true", caseSpec{
		Title:  "crit b64 with b64 true, correctly signed",
		Why:    "b64 true is the default encoding, listed as critical: jwtkit understands it, so the token verifies.",
		Cite:   []string{citeB64},
		Token:  jws(`{"alg":"HS256","b64":true,"crit":["b64"]}`, claims, hs("HS256", g.secret)),
		Verify: []expectation{valid(keySecret)},
		Decode: expectation{Exit: 0, Findings: []string{"crit"}},
	})
	b64Input := seg(`{"alg":"HS256","b64":false,"crit":["b64"]}`) + "." + `{"sub":"admin"}`
	b64Tok := b64Input + "." + segB(hs("HS256", g.secret)(b64Input))
	add("b64-false", caseSpec{
		Title:  "unencoded payload (b64 false), correctly signed",
		Why:    "RFC 7797's unencoded payload is not a JWT: verify refuses it. The payload here is raw JSON with characters the compact form cannot carry, so it is refused as malformed before that.",
		Cite:   []string{citeB64},
		Token:  b64Tok,
		Verify: []expectation{usage(keySecret, "malformed_token", "")},
		Decode: decodeBadAt(""),
	})
	b64Input2 := seg(`{"alg":"HS256","b64":false,"crit":["b64"]}`) + "." + "admin"
	add("b64-false-compact-safe", caseSpec{
		Title:  "unencoded payload (b64 false) made only of base64url characters, correctly signed",
		Why:    "The unencoded payload passes the character check; verify must still refuse it, and say why.",
		Cite:   []string{citeB64},
		Token:  b64Input2 + "." + segB(hs("HS256", g.secret)(b64Input2)),
		Verify: []expectation{invalid(keySecret, "b64_false", "unencoded payload")},
		Decode: expectation{Exit: 0, Findings: []string{"b64_false"}},
	})
	add("b64-not-boolean", caseSpec{
		Title:  "header with b64 as the string \"false\"",
		Why:    "b64 is a boolean; a string could be read either way.",
		Cite:   []string{citeB64},
		Token:  jws(`{"alg":"HS256","b64":"false"}`, claims, hs("HS256", g.secret)),
		Verify: []expectation{invalid(keySecret, "bad_header", "b64")},
		Decode: decodeRefused("bad_header", "b64"),
	})

	// JWE and nested JWTs.
	jwe := g.encrypt(claims, "")
	add("jwe", caseSpec{
		Title:  "a JWE (RSA-OAEP, A256GCM) encrypted to the victim's key",
		Why:    "verify handles signed tokens; an encrypted token is an input it cannot judge, reported as a usage error (exit 2), never as valid.",
		Cite:   []string{citeJWE},
		Token:  jwe,
		Verify: []expectation{usage(keyRSA, "encrypted_token", "encrypted token"), usage(keySecret, "encrypted_token", "encrypted token")},
		Decode: expectation{Exit: 0, Findings: []string{"encrypted"}},
	})
	add("nested-jwt-in-jwe", caseSpec{
		Title:  "a nested JWT: a signed token encrypted in a JWE with cty JWT",
		Why:    "jwtkit does not decrypt, so it cannot reach the inner token; verify says so.",
		Cite:   []string{citeNested, citeJWE},
		Token:  g.encrypt(goodHS, "JWT"),
		Verify: []expectation{usage(keySecret, "encrypted_token", "encrypted token")},
		Decode: expectation{Exit: 0, Findings: []string{"encrypted"}},
	})
	add("nested-jwt-in-jws", caseSpec{
		Title:  "a nested JWT: a signed token whose payload is another signed token (cty JWT)",
		Why:    "The outer signature is genuine but its payload is a JWT, not a claims set. jwtkit does not unwrap nested tokens, so it must not report claims from either layer.",
		Cite:   []string{citeNested, citeJSONObject},
		Token:  jws(`{"alg":"HS256","cty":"JWT"}`, goodES, hs("HS256", g.secret)),
		Verify: []expectation{usage(keySecret, "malformed_token", "payload")},
		Decode: decodeBadAt("payload"),
	})

	// Claims: types and ranges.
	timeCase := func(name, title, why string, members string, verify []expectation, findings []string, cite ...string) {
		add(name, caseSpec{Title: title, Why: why, Cite: cite,
			Token:  jws(hs256, `{"sub":"alice",`+members+`}`, hs("HS256", g.secret)),
			Verify: verify, Decode: expectation{Exit: 0, Findings: findings}})
	}
	future := itoa(g.now.Add(time.Hour).Unix())
	timeCase("exp-string", "exp as a string of digits", "A NumericDate is a JSON number. Reading \"exp\":\"...\" as absent would make the token never expire.",
		`"exp":"`+future+`"`, []expectation{invalid(keySecret, "bad_time_claim", "string")}, []string{"bad_time_claim"}, citeNumericDate)
	timeCase("exp-null", "exp null", "\"exp\": null is not \"no exp\".",
		`"exp":null`, []expectation{invalid(keySecret, "bad_time_claim", "exp")}, []string{"bad_time_claim"}, citeNumericDate, "SECURITY-NOTES: \"exp\": null is not \"no exp\"")
	timeCase("exp-boolean", "exp true", "A boolean is not a NumericDate.",
		`"exp":true`, []expectation{invalid(keySecret, "bad_time_claim", "exp")}, []string{"bad_time_claim"}, citeNumericDate)
	timeCase("exp-object", "exp as an object", "An object is not a NumericDate.",
		`"exp":{"$date":`+future+`}`, []expectation{invalid(keySecret, "bad_time_claim", "exp")}, []string{"bad_time_claim"}, citeNumericDate)
	timeCase("exp-fractional", "exp with a fractional part, in the future", "NumericDate may be non-integer; a fraction is valid.",
		`"exp":`+future+`.5`, []expectation{valid(keySecret)}, []string{"unverified"}, citeNumericDate)
	timeCase("exp-exponent", "exp written with an exponent, in the future", "1.7956476e9 is a JSON number like any other.",
		`"exp":1.7956476e9`, []expectation{valid(keySecret)}, []string{"unverified"}, citeNumericDate)
	timeCase("exp-huge-exponent", "exp 1e400", "Beyond float64: a parser that saturates to +Inf or wraps when converting to an integer may read the token as never expiring, or as expired in 1970. jwtkit refuses it.",
		`"exp":1e400`, []expectation{invalid(keySecret, "bad_time_claim", "outside")}, []string{"bad_time_claim"}, citeNumericDate, "go-jose v4.1.8 added NumericDate range limits")
	timeCase("exp-huge-integer", "exp 2^64 + 1", "An integer that overflows int64 and uint64 wraps to a small value in careless code.",
		`"exp":18446744073709551617`, []expectation{invalid(keySecret, "bad_time_claim", "outside")}, []string{"bad_time_claim"}, citeNumericDate)
	timeCase("exp-negative-huge", "exp -1e300", "A hugely negative instant is refused, not wrapped to the future.",
		`"exp":-1e300`, []expectation{invalid(keySecret, "bad_time_claim|expired", "exp")}, []string{"bad_time_claim"}, citeNumericDate)
	timeCase("exp-equals-now", "exp exactly now", "The token must not be accepted on or after exp; go-jose accepts exp == now.",
		`"exp":`+itoa(g.now.Unix()), []expectation{invalid(keySecret, "expired", "expired"), valid(args(keySecret, []string{"--leeway", "1s"}))}, []string{"expired"}, citeExp, "SECURITY-NOTES: exp equal to now is expired")
	timeCase("exp-one-second-left", "exp one second after now", "The boundary's other side: still valid.",
		`"exp":`+itoa(g.now.Unix()+1), []expectation{valid(keySecret)}, []string{"unverified"}, citeExp)
	timeCase("exp-milliseconds", "exp in milliseconds", "A producer that writes milliseconds makes a token valid for millennia; the value is past year 9999 and refused.",
		`"exp":`+itoa(g.now.Add(time.Hour).UnixMilli()), []expectation{invalid(keySecret, "bad_time_claim", "milliseconds")}, []string{"bad_time_claim"}, citeNumericDate)
	timeCase("nbf-future", "nbf an hour ahead", "Not yet valid.",
		`"nbf":`+future, []expectation{invalid(keySecret, "not_yet_valid", "not valid yet")}, []string{"not_yet_valid"}, "RFC 7519 §4.1.5")
	timeCase("nbf-string", "nbf as a string", "A string nbf must not be skipped.",
		`"nbf":"`+future+`"`, []expectation{invalid(keySecret, "bad_time_claim", "nbf")}, []string{"bad_time_claim"}, citeNumericDate, "RFC 7519 §4.1.5")
	timeCase("iat-future", "iat an hour ahead", "A token issued in the future is refused (beyond the leeway).",
		`"iat":`+future, []expectation{invalid(keySecret, "iat_in_future", "future")}, []string{"iat_in_future"}, "RFC 7519 §4.1.6")
	add("huge-number-other-claim", caseSpec{
		Title:  "correctly signed token with a 400-digit number in a custom claim",
		Why:    "Numbers outside time claims are kept as written (no float rounding) and the token verifies; its claims print exactly as signed.",
		Cite:   []string{"RFC 8259 §6 (number range and precision are implementation-defined)", "RFC 7519 §4.3"},
		Token:  jws(hs256, g.claimsWith(`"sub":"alice","n":`+strings.Repeat("9", 400)+`,"f":0.1e-400`), hs("HS256", g.secret)),
		Verify: []expectation{valid(keySecret)},
		Decode: decodeHMAC,
	})

	// Claims: audience, issuer, typ, required claims.
	claimCase := func(name, title, why string, payload, header string, verify []expectation, cite ...string) {
		if header == "" {
			header = hs256
		}
		add(name, caseSpec{Title: title, Why: why, Cite: cite, Token: jws(header, payload, hs("HS256", g.secret)), Verify: verify, Decode: decodeHMAC})
	}
	exp := itoa(g.now.Add(time.Hour).Unix())
	claimCase("aud-object", "aud as an object whose key is the audience", "aud is a string or an array of strings; an object must not match by its keys.",
		`{"sub":"alice","aud":{"api":true},"exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, []string{"--aud", "api"}), "bad_claim_type", `claim "aud" is an object`)}, citeAud)
	claimCase("aud-array-number", "aud array holding the audience and a number", "Every member of an aud array is a string (RFC 7519 §4.1.3); go-jose refuses the token, and so must verify, whether or not --aud is given.",
		`{"sub":"alice","aud":["api",5],"exp":`+exp+`}`, "", []expectation{
			invalid(args(keySecret, []string{"--aud", "api"}), "bad_claim_type", `"aud" holds a number at index 1`),
			invalid(args(keySecret, nil), "bad_claim_type", `"aud" holds a number at index 1`),
		}, citeAud)
	claimCase("aud-array-nested", "aud array holding an array", "An array inside aud is no audience.",
		`{"sub":"alice","aud":[["api"]],"exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, []string{"--aud", "api"}), "bad_claim_type", `"aud" holds an array at index 0`)}, citeAud)
	claimCase("iss-number", "iss a number, with no --iss", "iss is a StringOrURI (RFC 7519 §4.1.1): a number is refused even when no issuer is required.",
		`{"sub":"alice","iss":1,"exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, nil), "bad_claim_type", `claim "iss" is a number`)}, citeIss)
	claimCase("jti-object", "jti an object", "jti is a string (RFC 7519 §4.1.7); replay caches keyed by it would misread an object.",
		`{"sub":"alice","jti":{"a":1},"exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, nil), "bad_claim_type", `claim "jti" is an object`)}, "RFC 7519 §4.1.7")
	claimCase("aud-array-match", "aud array that contains the audience", "Control: one match in an array is enough.",
		`{"sub":"alice","aud":["other","api"],"exp":`+exp+`}`, "", []expectation{valid(args(keySecret, []string{"--aud", "api"}))}, citeAud)
	claimCase("aud-prefix", "aud api.attacker.example against --aud api", "Audience comparison is exact, not by prefix.",
		`{"sub":"alice","aud":"api.attacker.example","exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, []string{"--aud", "api"}), "audience", "audience")}, citeAud)
	claimCase("aud-missing", "no aud against --aud api", "A token without aud does not satisfy a required audience.",
		`{"sub":"alice","exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, []string{"--aud", "api"}), "audience", "")}, citeAud)
	claimCase("iss-lookalike", "iss with a trailing dot against --iss https://issuer.example", "Issuer comparison is exact.",
		`{"iss":"https://issuer.example.","sub":"alice","exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, []string{"--iss", "https://issuer.example"}), "issuer", "issuer")}, citeIss)
	claimCase("iss-homoglyph", "iss with a Cyrillic і against --iss https://issuer.example", "A lookalike character is a different issuer.",
		`{"iss":"https://іssuer.example","sub":"alice","exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, []string{"--iss", "https://issuer.example"}), "issuer", "issuer")}, citeIss)
	claimCase("sub-null", "sub null against --sub alice", "null is not alice.",
		`{"sub":null,"exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, []string{"--sub", "alice"}), "bad_claim_type", `claim "sub" is null`)}, citeIss)
	claimCase("typ-confusion", "an ID-token style JWT presented where an access token (at+jwt) is required", "Explicit typing stops one kind of JWT from being used as another.",
		`{"sub":"alice","exp":`+exp+`}`, `{"alg":"HS256","typ":"JWT"}`, []expectation{invalid(args(keySecret, []string{"--typ", "at+jwt"}), "type", "")}, citeTyp)
	claimCase("typ-missing", "no typ where at+jwt is required", "A missing typ does not satisfy --typ.",
		`{"sub":"alice","exp":`+exp+`}`, `{"alg":"HS256"}`, []expectation{invalid(args(keySecret, []string{"--typ", "at+jwt"}), "type", "")}, citeTyp)
	claimCase("claim-type-confusion", "admin \"true\" (a string) against --require-claim admin=true", "Required claims compare as JSON: the string \"true\" is not the boolean true.",
		`{"sub":"alice","admin":"true","exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, []string{"--require-claim", "admin=true"}), "claim", "admin")}, "RFC 8725 §3.10", "RFC 7519 §4")
	claimCase("scope-substring", "scope read:users-admin against --require-scope read:users", "Scopes are whole space-separated tokens, not substrings.",
		`{"sub":"alice","scope":"read:users-admin write:posts","exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, []string{"--require-scope", "read:users"}), "scope", "read:users")}, "RFC 6749 §3.3 (scope is a space-delimited list)", "RFC 9068 §2.2.3")
	claimCase("scope-wrong-type", "scope as a number against --require-scope 1", "A scope claim that is not a string or array of strings grants nothing.",
		`{"sub":"alice","scope":1,"exp":`+exp+`}`, "", []expectation{invalid(args(keySecret, []string{"--require-scope", "1"}), "scope", "")}, "RFC 6749 §3.3", "RFC 9068 §2.2.3")
	return cs
}

func mustB64(s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// addL returns an Ed25519 signature with L, the group order, added to its S half
// (little-endian).
func addL(sig []byte) []byte {
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	le := func(b []byte) *big.Int {
		r := make([]byte, len(b))
		for i := range b {
			r[len(b)-1-i] = b[i]
		}
		return new(big.Int).SetBytes(r)
	}
	sum := new(big.Int).Add(le(sig[32:]), l)
	be := sum.FillBytes(make([]byte, 32))
	out := append([]byte(nil), sig[:32]...)
	for i := 31; i >= 0; i-- {
		out = append(out, be[i])
	}
	return out
}

// standardAlphabet makes a genuine HS256 token whose segments contain - or _, then re-encodes
// it with + and /.
func standardAlphabet(g *generator) string {
	for i := 0; ; i++ {
		tok := jws(`{"alg":"HS256"}`, g.claimsWith(`"sub":"~~~`+strings.Repeat("?", i)+`"`), hs("HS256", g.secret))
		if strings.ContainsAny(tok, "-_") {
			return strings.NewReplacer("-", "+", "_", "/").Replace(tok)
		}
	}
}

// encrypt makes a compact JWE of plaintext to the victim's RSA key with go-jose; cty is set
// when not empty.
func (g *generator) encrypt(plaintext, cty string) string {
	opts := &jose.EncrypterOptions{}
	if cty != "" {
		opts = opts.WithContentType(jose.ContentType(cty))
	}
	enc, err := jose.NewEncrypter(jose.A256GCM, jose.Recipient{Algorithm: jose.RSA_OAEP, Key: &g.rsa.PublicKey, KeyID: "rsa-1"}, opts)
	if err != nil {
		g.t.Fatal(err)
	}
	obj, err := enc.Encrypt([]byte(plaintext))
	if err != nil {
		g.t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		g.t.Fatal(err)
	}
	return out
}
