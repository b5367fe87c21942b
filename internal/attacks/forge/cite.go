package forge

// Citations of the attacks Forge makes, shared with the corpus.
const (
	// CiteNone is cited by the None variants.
	CiteNone = "RFC 8725 §2.1 and §3.1: an unsecured (alg none) JWT is accepted only when the application asked for one; RFC 7518 §3.6"
	// CiteNoneCVE is cited by the NoneCVE variants.
	CiteNoneCVE = "CVE-2015-9235 (node-jsonwebtoken accepted alg none and RS/HS confusion)"
	// CiteConfusion is cited by the Confusion variants.
	CiteConfusion = "RFC 8725 §2.1 (the public key used as an HMAC secret); CVE-2016-10555, CVE-2022-29217 (PyJWT), CVE-2016-5431 (php-jose)"
	// CiteHeaderKeys is cited by the HeaderKeys variants.
	CiteHeaderKeys = "RFC 8725 §3.10: do not trust received claims; blindly following jku or x5u is server-side request forgery"
	// CiteEmbeddedJWK is cited by the EmbeddedJWK variants.
	CiteEmbeddedJWK = "CVE-2018-0114 (node-jose trusted the key embedded in the jwk header); RFC 7515 §4.1.3"
	// CiteKid is cited by the Kid variants.
	CiteKid = "RFC 8725 §3.10: kid is attacker-controlled; key lookup must not allow SQL, LDAP or path injection"
	// CitePsychic is cited by the Psychic variants.
	CitePsychic = "CVE-2022-21449 (Java ECDSA accepted r = s = 0, the \"psychic signature\"); RFC 7518 §3.4; SEC 1 §4.1.4 step 1 (r, s in [1, n-1])"
	// CiteTamper is cited by the Tamper variants.
	CiteTamper = "RFC 7515 §5.2: the signature covers the ASCII of BASE64URL(header) . BASE64URL(payload)"
)
