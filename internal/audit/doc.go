// Package audit tests a service's own token checks: it sends a genuine token, a token that is
// no JWT at all, then each forged variant from package attacks once, and judges every answer
// against the first two. A Target is the service (an HTTP endpoint, or a local command whose
// exit status is its answer); a Listener stands in for the attacker's key server that jku and
// x5u variants name, on 127.0.0.1, and records whether the service fetched it.
//
// The package knows nothing of flags or terminals. It never contacts any host but the target's
// and its own loopback listener, sends each token once, and waits between requests as Rate
// says.
package audit
