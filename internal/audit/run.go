package audit

import (
	"context"
	"time"

	"github.com/jwtkit/jwtkit/internal/attacks/forge"
	"github.com/jwtkit/jwtkit/internal/failure"
)

// InvalidToken is the token audit sends to learn what a refusal looks like: three segments
// that are not base64url JSON, so no verifier can read it as a JWT.
const InvalidToken = "jwtkit-audit.not-a-jwt.invalid"

// Kinds of result.
const (
	// KindForgery is a forged signature (or none) carrying the genuine claims.
	KindForgery = "forgery"
	// KindClaim is a claim probe re-signed with the real key.
	KindClaim = "claim"
	// KindClaimForged is a claim probe under the first forgery of each family the service
	// accepted; it never fails the audit by itself (the forgery does) and an acceptance reads
	// AcceptedInfo.
	KindClaimForged = "claim-forged"
)

// Verdicts.
const (
	// Refused: the service refused the token, as it should.
	Refused = "refused"
	// Accepted: the service accepted a forged token, or one a verifier must refuse.
	Accepted = "ACCEPTED"
	// AcceptedInfo: the service accepted a claim change it may rightly ignore.
	AcceptedInfo = "accepted"
	// Fetched: the service fetched the URL a forged header named.
	Fetched = "FETCHED"
	// Skipped: the probe needs the signing key or an accepted forgery.
	Skipped = "skipped"
)

// Result is the outcome of one token.
type Result struct {
	// Name is the variant or probe name; a probe under a forgery is "probe@forgery".
	Name string `json:"name"`
	// Kind is KindForgery, KindClaim or KindClaimForged.
	Kind string `json:"kind"`
	// Title says what the token is.
	Title string `json:"title"`
	// Cite is the RFC section, CVE or advisory.
	Cite string `json:"cite"`
	// Answer is what the service said ("HTTP 401", "exit 1"); empty when skipped.
	Answer string `json:"answer,omitempty"`
	// Accepted says whether the service accepted the token.
	Accepted bool `json:"accepted"`
	// Fetched says whether the service requested the jku or x5u URL the token named.
	Fetched bool `json:"fetched,omitempty"`
	// Counts says whether this result fails the audit.
	Counts bool `json:"counts"`
	// Verdict is one of Refused, Accepted, AcceptedInfo, Fetched, Skipped.
	Verdict string `json:"verdict"`
}

// Report is the whole audit.
type Report struct {
	// Genuine and Invalid are the answers to the genuine token and to InvalidToken.
	Genuine, Invalid Answer
	// Results are in the order sent.
	Results []Result
}

// Failed counts the results that fail the audit.
func (r *Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		if res.Counts {
			n++
		}
	}
	return n
}

// Config is one audit.
type Config struct {
	Target   Target
	Judge    Judge
	Genuine  forge.Genuine
	Variants []forge.Variant
	Probes   []forge.ClaimProbe
	// Resign signs claims with the service's real key (the genuine header kept); nil when the
	// user gave no key, and then probes run under accepted forgeries only.
	Resign func(payload string) (string, error)
	// Listener records jku and x5u fetches; nil when those variants are left out.
	Listener *Listener
	// Rate is the most requests per second; zero or less means no wait.
	Rate float64
	// Now is the clock the claim probes are made at.
	Now time.Time
	// Progress, when not nil, is called after each request with the count done and the total
	// known so far.
	Progress func(done, total int)
}

// Run performs the audit. It fails with a usage error (exit 2) when the genuine token is not
// accepted or InvalidToken is not refused, since every verdict would be meaningless; with a
// remote error (exit 3) when the target cannot be asked.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	r := &runner{cfg: cfg}
	rep := &Report{}
	total := 2 + len(cfg.Variants)
	if cfg.Resign != nil {
		total += len(cfg.Probes)
	}
	r.total = total
	var err error
	if rep.Genuine, err = r.send(ctx, cfg.Genuine.Token); err != nil {
		return nil, err
	}
	if !cfg.Judge.GenuineAccepted(cfg.Target, rep.Genuine) {
		return nil, failure.Usagef("genuine_refused", "the service refused the genuine token (%s): give a token it accepts, or say what acceptance looks like with --accept-status or --accept-body", rep.Genuine.Text)
	}
	if rep.Invalid, err = r.send(ctx, InvalidToken); err != nil {
		return nil, err
	}
	if cfg.Judge.Accepted(cfg.Target, rep.Invalid, rep.Genuine) {
		return nil, failure.Usagef("invalid_accepted", "the service answered a token that is no JWT at all as it answered the genuine one (%s), so no forgery can be told apart: check the URL needs a token, or say what a refusal looks like with --reject-status or --accept-body", rep.Invalid.Text)
	}
	// accepted holds the first accepted variant of each family: the claim probes run under
	// each kind of forgery once, not under every spelling of it.
	var accepted []forge.Variant
	families := map[string]bool{}
	for _, v := range cfg.Variants {
		before := r.fetches(v.Fetch)
		a, err := r.send(ctx, v.Token)
		if err != nil {
			return nil, err
		}
		res := Result{Name: v.Name, Kind: KindForgery, Title: v.Title, Cite: v.Cite, Answer: a.Text,
			Accepted: cfg.Judge.Accepted(cfg.Target, a, rep.Genuine)}
		res.Fetched = v.Fetch != "" && r.fetches(v.Fetch) > before
		switch {
		case res.Accepted:
			res.Verdict, res.Counts = Accepted, true
			if !families[v.Family] {
				families[v.Family] = true
				accepted = append(accepted, v)
			}
		case res.Fetched:
			res.Verdict, res.Counts = Fetched, true
		default:
			res.Verdict = Refused
		}
		rep.Results = append(rep.Results, res)
	}
	for _, p := range cfg.Probes {
		payload := p.Apply(cfg.Genuine.Claims, cfg.Now).JSON()
		if cfg.Resign == nil {
			if len(accepted) == 0 {
				rep.Results = append(rep.Results, Result{Name: p.Name, Kind: KindClaim, Title: p.Title, Cite: p.Cite, Verdict: Skipped})
			}
			for _, v := range accepted {
				tok, err := v.WithClaims(payload)
				if err != nil {
					return nil, err
				}
				res, err := r.probe(ctx, tok, p, rep.Genuine)
				if err != nil {
					return nil, err
				}
				res.Name, res.Kind, res.Title = p.Name+"@"+v.Name, KindClaimForged, p.Title+", under "+v.Name
				// The forgery already fails the audit; this says what else the service skips.
				res.Counts = false
				if res.Accepted {
					res.Verdict = AcceptedInfo
				}
				rep.Results = append(rep.Results, res)
			}
			continue
		}
		tok, err := cfg.Resign(payload)
		if err != nil {
			return nil, err
		}
		res, err := r.probe(ctx, tok, p, rep.Genuine)
		if err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

type runner struct {
	cfg         Config
	last        time.Time
	done, total int
}

func (r *runner) probe(ctx context.Context, tok string, p forge.ClaimProbe, genuine Answer) (Result, error) {
	a, err := r.send(ctx, tok)
	if err != nil {
		return Result{}, err
	}
	res := Result{Name: p.Name, Kind: KindClaim, Title: p.Title, Cite: p.Cite, Answer: a.Text,
		Accepted: r.cfg.Judge.Accepted(r.cfg.Target, a, genuine)}
	switch {
	case res.Accepted && p.Counts:
		res.Verdict, res.Counts = Accepted, true
	case res.Accepted:
		res.Verdict = AcceptedInfo
	default:
		res.Verdict = Refused
	}
	return res, nil
}

func (r *runner) fetches(kind string) int {
	if r.cfg.Listener == nil {
		return 0
	}
	switch kind {
	case "jku":
		return r.cfg.Listener.Hits(forge.JKUPath)
	case "x5u":
		return r.cfg.Listener.Hits(forge.X5UPath)
	}
	return 0
}

// send waits as the rate says, then sends one token.
func (r *runner) send(ctx context.Context, tok string) (Answer, error) {
	if r.cfg.Rate > 0 && !r.last.IsZero() {
		wait := time.Duration(float64(time.Second)/r.cfg.Rate) - time.Since(r.last)
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return Answer{}, ctx.Err()
			case <-t.C:
			}
		}
	}
	r.last = time.Now()
	a, err := r.cfg.Target.Send(ctx, tok)
	if err != nil {
		return Answer{}, err
	}
	r.done++
	if r.done > r.total {
		r.total = r.done
	}
	if r.cfg.Progress != nil {
		r.cfg.Progress(r.done, r.total)
	}
	return a, nil
}
