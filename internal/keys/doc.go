// Package keys is jwtkit's one place for key material: the grammar that turns a flag value into
// bytes (@path, env:NAME, b64:, b64url:, hex:, -), loading keys from PEM, DER, JWK and JWK Sets,
// choosing and checking signing algorithms, and generating and encoding new keys.
//
// Everything that enters here is treated as hostile. Inputs are capped at MaxInputSize, RSA
// moduli at 2048–16384 bits, JWK Sets at MaxJWKSKeys keys, and every source refuses RSA keys
// under 2048 bits (RFC 7518 §3.3) and small-order or non-canonical Ed25519 public keys. A JWK's
// alg, use and key_ops are kept and honoured by CheckAlg (RFC 8725 §3.1, RFC 7517 §4.2–4.3).
// Secret bytes and private key material never appear in an error message.
//
// The package does no I/O of its own except ReadFile, which callers inject into a Resolver; it
// reads no environment and knows nothing of flags or terminals. Errors that depend on the exit
// code are wrapped with package failure: problems with key material are usage errors with code
// "key", "weak_key" or "alg_mismatch"; a broken remote JWK Set is a remote error with code "jwks".
package keys
