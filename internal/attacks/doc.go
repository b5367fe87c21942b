// Package attacks holds jwtkit's attack corpus test: every known way to forge, confuse or
// malform a JWT, run through the real `verify` and `decode` commands in-process. The forged
// tokens are built with package forge, which `jwtkit audit` uses to test a service's checks.
//
// The corpus lives in testdata/attacks/ at the repository root, one txtar file per case. Each
// file carries the token, the key material the verifier is given, the citation (RFC section,
// CVE or advisory) behind the expectation, and the expected outcome of every command run on it:
// exit code, failure code and a substring of the reason. The files are written by a generator
// (TestCorpusIsGenerated with -update) from deterministic randomness, so every token and key has
// a known provenance and the corpus can be rebuilt byte for byte:
//
//	go test ./internal/attacks -run TestCorpusIsGenerated -update
//
// TestAttacks reads the committed files, not the generator, so a case keeps testing what it
// says even if the generator changes. A case whose correct expectation jwtkit does not meet yet
// is listed in knownBroken with the reason; the test fails when such a case starts to pass, so
// the list cannot rot.
package attacks
