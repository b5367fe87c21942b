package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jwtkit/jwtkit/internal/timespec"
)

// Severity of a finding.
type Severity string

// Severities, from least to most serious.
const (
	Info    Severity = "info"
	Warning Severity = "warning"
	Danger  Severity = "danger"
)

// Finding is one thing a reader of a token should notice. Code is stable and
// machine-readable; Message is one human sentence fragment.
type Finding struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
}

// LongLifetime is the lifetime over which a token is reported as long-lived.
const LongLifetime = 24 * time.Hour

// Findings lists what a reader of p should notice at the instant now, in this order when
// present:
//
//	expired        danger   exp is at or before now (RFC 7519 §4.1.4: "on or after")
//	not_yet_valid  warning  nbf is after now
//	iat_in_future  warning  iat is after now
//	alg_none       danger   alg is "none" in any case
//	no_exp         warning  the payload has no exp
//	long_lifetime  warning  exp minus iat (or nbf, or now) is over LongLifetime
//	bad_time_claim danger   exp, nbf or iat is present but not a NumericDate (one per claim)
//	bad_claim_type danger   iss, sub or jti is not a string, aud not a string or an array of
//	                        strings (one per claim)
//	shared_secret  info     an HS* alg: anyone who can verify can also mint
//	header_jku, header_x5u, header_jwk, header_x5c  warning  the header names or carries a key
//	crit           warning  the header has "crit"
//	b64_false      danger   the header has "b64": false
//	encrypted      info     the token is a JWE
//	unverified     info     a JWS: nothing was verified
//
// The result is never nil. Claim findings need a readable payload, so a JWE or an unencoded
// payload gets none of them.
func Findings(p *Parsed, now time.Time) []Finding {
	out := []Finding{}
	add := func(sev Severity, code, format string, args ...any) {
		out = append(out, Finding{Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)})
	}

	exp, hasExp, expErr := p.NumericDate("exp")
	nbf, hasNbf, nbfErr := p.NumericDate("nbf")
	iat, hasIat, iatErr := p.NumericDate("iat")
	expOK, nbfOK, iatOK := hasExp && expErr == nil, hasNbf && nbfErr == nil, hasIat && iatErr == nil

	if expOK && !now.Before(exp) {
		add(Danger, "expired", "expired %s (exp %s)", timespec.Ago(now.Sub(exp)), stamp(exp))
	}
	if nbfOK && nbf.After(now) {
		add(Warning, "not_yet_valid", "not valid until %s (in %s)", stamp(nbf), HumanDuration(nbf.Sub(now)))
	}
	if iatOK && iat.After(now) {
		add(Warning, "iat_in_future", "issued %s in the future (iat %s); check the issuer's clock", HumanDuration(iat.Sub(now)), stamp(iat))
	}
	if alg := p.Alg(); !p.Encrypted && strings.EqualFold(alg, "none") {
		add(Danger, "alg_none", "alg is %q: the token is unsigned and anyone can forge it", alg)
	}
	if p.Payload != nil && !hasExp {
		add(Warning, "no_exp", "no exp: the token never expires")
	}
	if expOK {
		start, fromNow := now, true
		switch {
		case iatOK:
			start, fromNow = iat, false
		case nbfOK:
			start, fromNow = nbf, false
		}
		if life := exp.Sub(start); life > LongLifetime {
			if fromNow {
				add(Warning, "long_lifetime", "valid for %s from now (no iat or nbf)", HumanDuration(life))
			} else {
				add(Warning, "long_lifetime", "lifetime is %s", HumanDuration(life))
			}
		}
	}
	for _, err := range []error{expErr, nbfErr, iatErr} {
		if err != nil {
			add(Danger, "bad_time_claim", "%s", err)
		}
	}
	for _, e := range p.ClaimTypeErrors() {
		add(Danger, CodeBadClaimType, "%s", e.Err)
	}
	if alg := p.Alg(); strings.HasPrefix(alg, "HS") {
		add(Info, "shared_secret", "%s: anyone who can verify can also mint", alg)
	}
	for _, name := range []string{"jku", "x5u"} {
		if _, ok := p.Header[name]; ok {
			add(Warning, "header_"+name, "header has %s; jwtkit never fetches keys from a token", name)
		}
	}
	for _, name := range []string{"jwk", "x5c"} {
		if _, ok := p.Header[name]; ok {
			add(Warning, "header_"+name, "header has %s; jwtkit never trusts a key carried in a token", name)
		}
	}
	if crit, ok := p.Header["crit"]; ok {
		add(Warning, "crit", "header has crit %s: a verifier must understand these extensions or refuse the token", compactJSON(crit))
	}
	if p.Unencoded {
		add(Danger, "b64_false", "header has b64: false (RFC 7797): the payload is not base64url-encoded and jwtkit verify refuses it")
	}
	if p.Encrypted {
		enc := p.HeaderString("enc")
		if enc == "" {
			enc = "none given"
		}
		add(Info, "encrypted", "encrypted (JWE, alg %s, enc %s): only the header can be read without the key (decode --key KEY opens a nested token)", p.Alg(), enc)
	} else {
		add(Info, "unverified", "decode does not check the signature; use jwtkit verify")
	}
	return out
}

// stamp formats t as RFC 3339 in UTC.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// compactJSON renders a decoded header value for a message, shortened when long.
func compactJSON(v any) string {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return "(unprintable)"
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if cut := 80; len(b) > cut {
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		return string(b[:cut]) + "…"
	}
	return string(b)
}

// HumanDuration writes a duration's magnitude with its two most significant units, rounded
// down: "45s", "3m12s", "3h", "59m", "2d4h", "30d", "56y353d" (timespec.Compact). It is meant for
// "in 59m" and "lifetime is 30d".
func HumanDuration(d time.Duration) string {
	return timespec.Compact(d)
}
