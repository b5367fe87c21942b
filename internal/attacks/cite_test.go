package attacks

import "github.com/jwtkit/jwtkit/internal/attacks/forge"

// Citations used by several cases.
const (
	citeNone        = forge.CiteNone
	citeNoneCVE     = forge.CiteNoneCVE
	citeAlgVerify   = "RFC 8725 §3.1: each key is used with exactly one algorithm, checked when verifying"
	citeConfusion   = forge.CiteConfusion
	citeHeaderKeys  = forge.CiteHeaderKeys
	citeEmbeddedJWK = forge.CiteEmbeddedJWK
	citeKid         = forge.CiteKid
	citePsychic     = forge.CitePsychic
	citeECDSAForm   = "RFC 7518 §3.4: the ECDSA signature is R and S as fixed-size big-endian octets, concatenated; not ASN.1 DER"
	citeCompact     = "RFC 7519 §1 and §7.2: a JWT uses the compact serialization, segments base64url without padding (RFC 7515 §2, §3.1)"
	citeBase64      = "RFC 7515 §2 (Base64url Encoding: no padding, no line breaks, whitespace or other characters)"
	citeJSONObject  = "RFC 7519 §7.2 step 10: the claims set is a completely valid JSON object"
	citeDuplicate   = "RFC 7519 §4: claim names are unique, parsers must reject duplicates or keep the lexically last; RFC 7515 §4 for header parameters; RFC 8725 §2.6 (multiplicity of JSON encodings)"
	citeUTF8        = "RFC 8725 §3.7 (use UTF-8); RFC 7519 §7.2 step 10; RFC 8259 §8.1 and §8.2"
	citeCrit        = "RFC 7515 §4.1.11: a recipient that does not understand a parameter listed in crit must reject the JWS"
	citeB64         = "RFC 7797 §3 and §6 (b64 false, crit b64); RFC 7519 §7.2: a JWT payload is base64url encoded"
	citeJWE         = "RFC 7516 §9 (telling a JWS from a JWE by segment count); RFC 8725 §2.8 and §3.12 (cross-JWT confusion)"
	citeNested      = "RFC 7519 §5.2 and §7.2 step 8: cty JWT marks a nested JWT, whose payload is itself a JWT"
	citeNumericDate = "RFC 7519 §2 (NumericDate is a JSON number, non-integer values allowed) and §4.1.4"
	citeExp         = "RFC 7519 §4.1.4: the token must not be accepted on or after the exp instant"
	citeTamper      = forge.CiteTamper
	citeRSASize     = "RFC 7518 §3.3: RSA keys of 2048 bits or larger must be used"
	citePSS         = "RFC 7518 §3.5: the PSS salt is the size of the hash output"
	citeEd25519     = "RFC 8032 §5.1.7 (S must be below L; a decoding failure rejects); RFC 8037 §3.1"
	citeSmallOrder  = "RFC 8032 §5.1.7 and §8.4 (small-order points): a small-order Ed25519 public key accepts forged signatures"
	citeKeyUse      = "RFC 7517 §4.2 (use) and §4.3 (key_ops): a key marked for encryption is not a verification key"
	citeWeakHMAC    = "RFC 7518 §3.2: an HMAC key at least as long as the hash output must be used; RFC 8725 §3.5"
	citeAud         = "RFC 7519 §4.1.3 (aud is a string or an array of strings); RFC 8725 §3.9"
	citeIss         = "RFC 8725 §3.8: validate issuer and subject exactly"
	citeTyp         = "RFC 8725 §3.11 (explicit typing); RFC 9068 §4 (access tokens have typ at+jwt)"
	citeJSONSer     = "RFC 7519 §1: JWTs always use the compact serialization; go-jose's deprecated ParseSigned also takes the JSON serialization (SECURITY-NOTES)"
	citeMalleable   = "RFC 7518 §3.4 and FIPS 186-5 §6.4.2: (r, n-s) is also a valid ECDSA signature of the same message; JWS does not require low-s"
)
