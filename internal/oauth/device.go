package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// Device flow bounds: the poll interval when the server names none (RFC 8628 §3.2), the
// increase a slow_down asks for (§3.5), and the longest interval and lifetime accepted, so a
// hostile server cannot make jwtkit wait for ever.
const (
	DefaultDeviceInterval = 5 * time.Second
	SlowDownStep          = 5 * time.Second
	maxDeviceInterval     = 60 * time.Second
	maxDeviceLifetime     = 30 * time.Minute
)

// DeviceAuthorization is a device authorization response (RFC 8628 §3.2), sanitised.
type DeviceAuthorization struct {
	// DeviceCode is sent back while polling; never shown.
	DeviceCode string
	// UserCode is what the user types at VerificationURI.
	UserCode string
	// VerificationURI and VerificationURIComplete (which holds the user code; may be empty) are
	// where the user goes.
	VerificationURI, VerificationURIComplete string
	// ExpiresIn is the lifetime of the codes (capped at 30 minutes).
	ExpiresIn time.Duration
	// Interval is the wait between polls.
	Interval time.Duration
}

// DeviceAuthorize asks endpoint for a device code and a user code, authenticating as r says
// and sending r's scopes, audience and resources.
func DeviceAuthorize(ctx context.Context, c *safehttp.Client, endpoint string, r Request) (*DeviceAuthorization, error) {
	method, err := r.validate()
	if err != nil {
		return nil, err
	}
	display := endpoint
	if u, err := c.CheckURL(endpoint); err == nil {
		display = safehttp.DisplayURL(u)
	}
	form := url.Values{}
	if scope := strings.Join(normalizeScopes(r.Scopes), " "); scope != "" {
		form.Set("scope", scope)
	}
	if r.Audience != "" {
		form.Set("audience", r.Audience)
	}
	for _, res := range r.Resources {
		form.Add("resource", res)
	}
	header := make(map[string][]string)
	if err := r.authenticate(method, form, header); err != nil {
		return nil, err
	}
	if method == AuthClientSecretBasic {
		form.Set("client_id", r.ClientID)
	}
	resp, err := c.PostForm(ctx, endpoint, form, header)
	if err != nil {
		return nil, err
	}
	if resp.Status < 200 || resp.Status > 299 {
		e := parseError(resp, display)
		return nil, failure.Remote("device_error", e)
	}
	var body struct {
		DeviceCode              string `json:"device_code"`
		UserCode                string `json:"user_code"`
		VerificationURI         string `json:"verification_uri"`
		VerificationURL         string `json:"verification_url"` // Google's spelling
		VerificationURIComplete string `json:"verification_uri_complete"`
		ExpiresIn               any    `json:"expires_in"`
		Interval                any    `json:"interval"`
	}
	fail := func(what string) error {
		return failure.Remotef("device_response", "device authorization endpoint %s returned an unusable response: %s", display, what)
	}
	if err := json.Unmarshal(resp.Body, &body); err != nil {
		return nil, fail("not a JSON object")
	}
	if body.VerificationURI == "" {
		body.VerificationURI = body.VerificationURL
	}
	switch {
	case body.DeviceCode == "" || !isTokenText(body.DeviceCode) || len(body.DeviceCode) > 4096:
		return nil, fail("no usable device_code")
	case body.UserCode == "" || len(body.UserCode) > 64 || safehttp.Sanitize(body.UserCode, 64) != body.UserCode:
		return nil, fail("no usable user_code")
	case !isWebURL(body.VerificationURI):
		return nil, fail("no http(s) verification_uri")
	}
	d := &DeviceAuthorization{DeviceCode: body.DeviceCode, UserCode: body.UserCode,
		VerificationURI: safehttp.Sanitize(body.VerificationURI, 500)}
	if isWebURL(body.VerificationURIComplete) {
		d.VerificationURIComplete = safehttp.Sanitize(body.VerificationURIComplete, 600)
	}
	expires, err := parseExpiresIn(jsonValue(body.ExpiresIn))
	if err != nil || expires <= 0 {
		return nil, fail("no usable expires_in")
	}
	d.ExpiresIn = min(time.Duration(expires)*time.Second, maxDeviceLifetime)
	d.Interval = DefaultDeviceInterval
	if body.Interval != nil {
		n, err := parseExpiresIn(jsonValue(body.Interval))
		if err != nil {
			return nil, fail("interval is not a number")
		}
		d.Interval = min(max(time.Duration(n)*time.Second, time.Second), maxDeviceInterval)
	}
	return d, nil
}

func jsonValue(v any) json.RawMessage {
	raw, _ := json.Marshal(v)
	return raw
}

func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(s) <= 500
}

// PollDevice polls the token endpoint with d's device code (RFC 8628 §3.4) until the user
// approves or refuses, the codes expire, or ctx ends: authorization_pending waits another
// interval, slow_down adds 5 seconds to it for good (§3.5), and expired_token, access_denied or
// any other error ends the flow as failure.Remote. The waits are r.Retry's Sleep, and the
// expiry is counted in the time waited, so a flow never outlives d.ExpiresIn.
func PollDevice(ctx context.Context, c *safehttp.Client, r Request, d *DeviceAuthorization) (*Token, error) {
	r.Grant = GrantDeviceCode
	r.GrantParams = url.Values{"device_code": {d.DeviceCode}}
	policy := r.Retry
	if policy == nil {
		policy = &DefaultRetry
	}
	interval, waited := d.Interval, time.Duration(0)
	for {
		if waited+interval > d.ExpiresIn {
			return nil, failure.Remotef("expired_token", "the device code expired after %s without the user's approval; run the command again", d.ExpiresIn)
		}
		if err := policy.sleep(ctx, interval); err != nil {
			return nil, err
		}
		waited += interval
		tok, err := Exchange(ctx, c, r)
		var te *TokenError
		if err == nil || !errors.As(err, &te) {
			return tok, err
		}
		switch te.Code {
		case "authorization_pending":
		case "slow_down":
			interval = min(interval+SlowDownStep, maxDeviceInterval)
		case "expired_token":
			return nil, failure.Remotef("expired_token", "the device code expired before the user approved it (expired_token from %s); run the command again", te.Endpoint)
		case "access_denied":
			return nil, failure.Remotef("access_denied", "the user refused the request (access_denied from %s)", te.Endpoint)
		default:
			return nil, err
		}
	}
}
