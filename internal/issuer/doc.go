// Package issuer is a small OAuth 2.0 authorization server for tests: it publishes OpenID
// Connect and RFC 8414 discovery documents and a JWK Set, issues RFC 9068 access tokens with the
// client-credentials grant (client_secret_basic, client_secret_post and private_key_jwt client
// authentication), signs exact claim sets posted to /mint, and rotates its signing keys.
//
// A Server is an http.Handler. It knows nothing of flags, terminals or listeners: the caller
// gives it keys, clients, a clock, randomness and a log function, and serves it on whatever
// listener it likes. Every request body is bounded, every client-supplied string that reaches
// the log is sanitised, and no client secret or assertion is ever logged or echoed.
//
// Where untrusted input enters: the Host header, the request path, the /token form (client
// credentials, client assertions, scope, resource and audience parameters) and the /mint body.
// Client assertions are verified with the client's registered public keys only, by signature,
// issuer, subject, audience, expiry and a replay cache of their jti; header parameters that
// point at keys (jku, x5u, jwk, x5c) are never used.
package issuer
