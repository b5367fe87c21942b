// Package forge makes forged JWTs: the token constructions of jwtkit's attack corpus (alg none,
// stripped and moved signatures, RS/ES→HS key confusion, kid injection, embedded jwk and x5c,
// jku and x5u, psychic ECDSA signatures) and, from one genuine token, every forged variant of
// it (Forge) and the claim-level probes (ClaimProbes) that `jwtkit audit` sends to a service.
//
// The corpus generator in package attacks builds its cases with these functions, so audit
// sends exactly the tokens the corpus proves jwtkit refuses. Headers and claims are edited as
// Objects that keep member order, so a forged token differs from the genuine one only where the
// attack changes it.
package forge
