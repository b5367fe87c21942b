package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/suggest"
	"github.com/jwtkit/jwtkit/internal/token"
)

// Codes of the checks' failures; Result.Err wraps the reason with its code.
const (
	CodeEncrypted     = "encrypted_token"
	CodeUnencoded     = "b64_false"
	CodeCrit          = "crit"
	CodeAlgNotAllowed = "alg_not_allowed"
	CodeUnknownKid    = "unknown_kid"
	CodeKeyMismatch   = "key_mismatch"
	CodeBadSignature  = "bad_signature"
	CodeBadTimeClaim  = "bad_time_claim"
	CodeBadClaimType  = token.CodeBadClaimType
	CodeExpired       = "expired"
	CodeMissingExp    = "missing_exp"
	CodeNotYetValid   = "not_yet_valid"
	CodeIatInFuture   = "iat_in_future"
	CodeMissingIat    = "missing_iat"
	CodeTooOld        = "too_old"
	CodeIssuer        = "issuer"
	CodeAudience      = "audience"
	CodeSubject       = "subject"
	CodeType          = "type"
	CodeClaim         = "claim"
	CodeScope         = "scope"
)

// Check is one check made on a token. Found and Expected are short display values (JSON for
// claim values, RFC 3339 for instants); Message is the one-line reason when the check failed.
type Check struct {
	Name     string `json:"name"`
	OK       bool   `json:"ok"`
	Code     string `json:"code,omitempty"`
	Found    string `json:"found,omitempty"`
	Expected string `json:"expected,omitempty"`
	Message  string `json:"message,omitempty"`
}

// Result is the verdict on one token.
type Result struct {
	// Valid is true when every check passed.
	Valid bool
	// Checks lists the checks in the order they were made. With Options.Detail it holds every
	// check; without, only the failed one (the first failure stops verification).
	Checks []Check
	// Claims is the payload exactly as in the token; set only when Valid.
	Claims json.RawMessage
	// Alg is the header's alg; Kid the header's kid.
	Alg, Kid string
	// Key describes the key whose signature check passed ("" when none did).
	Key string
}

// Failure returns the first failed check, the reason the token is invalid.
func (r *Result) Failure() (Check, bool) {
	for _, c := range r.Checks {
		if !c.OK {
			return c, true
		}
	}
	return Check{}, false
}

// Err returns nil for a valid token, else the reason as a failure error with the check's code:
// failure.Invalid, except for an encrypted token, which is an input verify cannot handle
// (failure.Usage).
func (r *Result) Err() error {
	c, failed := r.Failure()
	if !failed {
		if r.Valid {
			return nil
		}
		return failure.Invalidf(CodeBadSignature, "the token was not verified")
	}
	if c.Code == CodeEncrypted {
		return failure.Usage(c.Code, errors.New(c.Message))
	}
	return failure.Invalid(c.Code, errors.New(c.Message))
}

// Options tune how a Verifier works, not what it accepts.
type Options struct {
	// Signature checks signatures; nil means Fast, which gives Reference's verdicts.
	Signature SignatureChecker
	// Detail makes Verify run every check and fill Found and Expected for passed checks too
	// (for --json); without it Verify stops at the first failure and records only that.
	Detail bool
}

// Verifier verifies tokens against fixed keys and a Policy. It is immutable once made by New
// and safe for concurrent use.
type Verifier struct {
	keys      []candidate
	kids      []string // the distinct kids of all the keys (usable or not), for messages
	allowList []string // algorithms allowed, in keys.Algorithms order
	policy    Policy
	typ       string // normalised Policy.Type
	sig       SignatureChecker
	detail    bool
	hasSecret bool
	passed    []passedKey // keys left out of selection because they are not for verifying
}

// passedKey is a key left out of selection, kept to say why in the unknown-key error.
type passedKey struct {
	kid  string
	desc string // as candidate.desc
	what string // desc without the kid: "the EC P-256 public key from enc.json"
	why  string // keys.PurposeConflict's reason
}

// candidate is one key with the algorithms it may verify (none when it suits no allowed
// algorithm; it is kept to explain why a token naming its kid fails).
type candidate struct {
	key  keys.Key // the public half
	kid  string
	algs []string
	desc string
}

// New makes a Verifier. Every key is reduced to its public half; a key whose JWK "use" or
// "key_ops" rule out verifying (keys.PurposeConflict) is passed over, and a token that only
// such a key could verify fails with an unknown-key error that says so. It is a usage error
// when no key is given, when Policy.Algs names an unknown algorithm or "none", or when no key can
// verify any allowed algorithm (the error then says why, for example a secret too short for
// HS256 or an --alg that needs another kind of key).
func New(ks []keys.Key, p Policy, o Options) (*Verifier, error) {
	if len(ks) == 0 {
		return nil, failure.Usagef("key", "no verification key: pass --secret, --key, --jwks or --issuer")
	}
	known := keys.Algorithms()
	for _, a := range p.Algs {
		if strings.EqualFold(a, "none") {
			return nil, failure.Usagef("usage", "--alg none is never accepted by verify: an unsigned token proves nothing")
		}
		if !slices.Contains(known, a) {
			return nil, failure.Usagef("usage", "unknown algorithm %q: use one of %s%s", a, strings.Join(known, ", "), suggest.Hint(a, known))
		}
	}
	v := &Verifier{policy: p, sig: o.Signature, detail: o.Detail, typ: normalType(p.Type)}
	allowed := map[string]bool{}
	var firstErr error
	usable := 0
	for _, k := range ks {
		pub := k.Public()
		c := candidate{key: pub, kid: pub.JWK.KeyID, desc: describeKey(pub)}
		// A key whose "use" or "key_ops" say it is not for verifying is left out of key
		// selection, even when a token names its kid (RFC 7517 §4.2–4.3), as panva's jose
		// and jwx leave it out; the unknown-key error says that it was passed over and why.
		if why := keys.PurposeConflict(pub, "verify"); why != "" {
			anon := pub
			anon.JWK.KeyID = ""
			v.passed = append(v.passed, passedKey{kid: c.kid, desc: c.desc, what: describeKey(anon), why: why})
			continue
		}
		want := p.Algs
		if len(want) == 0 {
			want = familyAlgs(pub)
		}
		for _, a := range want {
			err := keys.CheckAlg(pub, a, p.AllowWeak)
			if err == nil {
				c.algs = append(c.algs, a)
				allowed[a] = true
			} else if firstErr == nil && (len(p.Algs) > 0 || pub.JWK.Algorithm == "" || pub.JWK.Algorithm == a) {
				firstErr = err
			}
		}
		// A key that suits no allowed algorithm stays, so that a token naming its kid is told
		// why the key cannot verify it.
		if len(c.algs) > 0 {
			usable++
			if pub.IsSymmetric() {
				v.hasSecret = true
			}
		}
		if c.kid != "" && !slices.Contains(v.kids, c.kid) {
			v.kids = append(v.kids, c.kid)
		}
		v.keys = append(v.keys, c)
	}
	if usable == 0 && (len(v.keys) > 0 || len(v.passed) == 0) {
		if firstErr == nil {
			firstErr = errors.New("no key is usable for signatures")
		}
		return nil, failure.Usage(failure.CodeOf(firstErr), fmt.Errorf("no key can verify %s: %w", algList(p.Algs), firstErr))
	}
	if v.sig == nil {
		v.sig = Fast{macs: newMacCache(v.keys)}
	}
	for _, a := range known {
		// An explicit allow-list is kept whole, so that a token whose alg was allowed but no key
		// suits is told so by the key check.
		if allowed[a] || slices.Contains(p.Algs, a) {
			v.allowList = append(v.allowList, a)
		}
	}
	return v, nil
}

// Algorithms returns the allow-list in force: Policy.Algs, or what the keys' types allow.
func (v *Verifier) Algorithms() []string { return slices.Clone(v.allowList) }

// Kids returns the distinct key IDs of the keys, including keys that suit no allowed
// algorithm.
func (v *Verifier) Kids() []string { return slices.Clone(v.kids) }

// HasKid reports whether one of the keys has the given kid, counting keys passed over as not
// for verifying (the set holds the kid; fetching it again would not change the verdict).
func (v *Verifier) HasKid(kid string) bool {
	return slices.Contains(v.kids, kid) || slices.ContainsFunc(v.passed, func(p passedKey) bool { return p.kid == kid })
}

func algList(algs []string) string {
	if len(algs) == 0 {
		return "any algorithm"
	}
	return strings.Join(algs, ", ")
}

// familyAlgs lists the algorithms a key's type allows: its JWK alg when set (read as
// keys.InferAlg reads it, so RFC 9864's fully-specified "Ed25519" means EdDSA), else its
// family's.
func familyAlgs(k keys.Key) []string {
	if a := k.JWK.Algorithm; a != "" {
		if inferred, err := keys.InferAlg(k); err == nil {
			return []string{inferred}
		}
		return []string{a}
	}
	switch k.Family() {
	case "RSA":
		return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
	case "EC":
		switch k.Curve() {
		case "P-256":
			return []string{"ES256"}
		case "P-384":
			return []string{"ES384"}
		case "P-521":
			return []string{"ES512"}
		}
	case "OKP":
		return []string{"EdDSA"}
	case "oct":
		return []string{"HS256", "HS384", "HS512"}
	}
	return nil
}

func describeKey(k keys.Key) string {
	var b strings.Builder
	if k.JWK.KeyID != "" {
		b.WriteString("key ")
		b.WriteString(quote(k.JWK.KeyID))
		b.WriteString(" (")
	} else {
		b.WriteString("the ")
	}
	if k.IsSymmetric() {
		b.WriteString("secret")
	} else {
		b.WriteString(k.Describe())
	}
	if k.Source != "" {
		b.WriteString(" from ")
		b.WriteString(k.Source)
	}
	if k.JWK.KeyID != "" {
		b.WriteString(")")
	}
	return b.String()
}

// run carries one verification.
type run struct {
	v   *Verifier
	p   *token.Parsed
	res *Result
	now time.Time
}

// Verify checks p at the instant now and returns the verdict. It never panics on hostile
// input: p comes from token.Parse, which bounds sizes and nesting.
func (v *Verifier) Verify(p *token.Parsed, now time.Time) Result {
	res := Result{Alg: p.Alg(), Kid: p.Kid()}
	if v.detail {
		res.Checks = make([]Check, 0, 16)
	}
	r := &run{v: v, p: p, res: &res, now: now}
	if r.form() && (r.signature() || v.detail) {
		r.claims()
	}
	_, failed := res.Failure()
	res.Valid = !failed
	if res.Valid {
		res.Claims = p.PayloadJSON
	}
	return res
}

// pass records a passed check (only in detail mode).
func (r *run) pass(name, found, expected string) bool {
	if r.v.detail {
		r.res.Checks = append(r.res.Checks, Check{Name: name, OK: true, Found: found, Expected: expected})
	}
	return true
}

// fail records a failed check. It returns false, and tells the caller whether to go on through
// the stop flag: without detail the first failure ends verification.
func (r *run) fail(name, code, found, expected, format string, args ...any) bool {
	r.res.Checks = append(r.res.Checks, Check{Name: name, Code: code, Found: found, Expected: expected,
		Message: fmt.Sprintf(format, args...)})
	return false
}

// failed reports whether verification should stop: a check failed and detail is off.
func (r *run) stop() bool {
	return !r.v.detail && len(r.res.Checks) > 0
}

// form refuses what verify cannot check: a JWE, an unencoded payload, unknown crit.
func (r *run) form() bool {
	p := r.p
	switch {
	case p.Encrypted:
		return r.fail("form", CodeEncrypted, "JWE", "JWS",
			"this is an encrypted token (JWE); verify handles signed tokens (JWS): open a nested one with --decrypt-key KEY")
	case p.Unencoded || p.Payload == nil:
		return r.fail("form", CodeUnencoded, `"b64": false`, "a base64url payload",
			`the token has an unencoded payload ("b64": false, RFC 7797); a JWT's payload is base64url`)
	}
	if crit, ok := p.Header["crit"]; ok && !understoodCrit(crit, p.Header) {
		return r.fail("form", CodeCrit, jsonText(crit), "no critical extensions",
			"the header marks %s as critical, which jwtkit does not understand (RFC 7515 §4.1.11)", jsonText(crit))
	}
	return r.pass("form", "JWS", "JWS")
}

// understoodCrit reports whether a crit header is well formed (a non-empty array of strings,
// each naming a member present in the header, RFC 7515 §4.1.11) and lists only extensions jwtkit
// processes: "b64" (RFC 7797), whose false value is refused separately.
func understoodCrit(crit any, header map[string]any) bool {
	list, ok := crit.([]any)
	if !ok || len(list) == 0 {
		return false
	}
	for _, item := range list {
		name, ok := item.(string)
		if !ok || name != "b64" {
			return false
		}
		if _, present := header[name]; !present {
			return false
		}
	}
	return true
}
