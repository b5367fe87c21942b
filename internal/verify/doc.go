// Package verify is jwtkit's verification engine: it decides whether a parsed compact JWS is
// valid under a set of keys and a policy, and says why not when it is not.
//
// A Verifier is built once (New) from trusted keys and a Policy and is then safe for concurrent
// use; Verify runs on one token and returns a Result that lists every check it made, the first
// failed one being the reason. The checks, in order:
//
//   - form: a JWE, a "b64": false payload (RFC 7797) and unknown "crit" parameters (RFC 7515
//     §4.1.11) are refused;
//   - algorithm: the header's alg must be on the allow-list (Policy.Algs, or derived from the
//     keys' types); "none", in any casing, never passes;
//   - key: chosen by kid, then by algorithm family; keys.CheckAlg must accept the key for the
//     alg, so a JWK's alg, use and key_ops are honoured and an HMAC algorithm is never paired
//     with an asymmetric key. The header's jku, x5u, jwk and x5c are never used;
//   - signature: by a SignatureChecker (Reference by default: go-jose, with the fixed PSS salt
//     and the ECDSA size and range rules that go-jose does not enforce);
//   - claims: exp (equal to now is expired), nbf, iat in the future, max age, iss, aud, sub,
//     typ, required claims and scopes, all against the clock passed to Verify with the policy's
//     leeway (0 by default).
//
// The package takes its clock as an argument and does no I/O; fetching keys is package jwks's
// job.
package verify
