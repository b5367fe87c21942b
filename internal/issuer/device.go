package issuer

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// GrantDeviceCode is the RFC 8628 device authorization grant type.
const GrantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// Device flow defaults and error codes (RFC 8628 §3.5).
const (
	// DefaultDeviceTTL is the lifetime of a device code when Config.DeviceTTL is zero.
	DefaultDeviceTTL = 10 * time.Minute
	// DefaultDeviceInterval is the polling interval when Config.DeviceInterval is zero
	// (RFC 8628 §3.2's default).
	DefaultDeviceInterval = 5 * time.Second

	ErrAuthorizationPending = "authorization_pending"
	ErrSlowDown             = "slow_down"
	ErrAccessDenied         = "access_denied"
	ErrExpiredToken         = "expired_token"
)

// userCodeAlphabet is the user code's alphabet: consonants only, so that no code spells a
// word, and none of the letters people confuse (RFC 8628 §6.1). Eight of them carry 34.6 bits.
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// userCodeLen is the number of letters in a user code, shown as XXXX-XXXX.
const userCodeLen = 8

// deviceAuthResponse is the device authorization response (RFC 8628 §3.2).
type deviceAuthResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// serveDeviceAuthorization is the device authorization endpoint (RFC 8628 §3.1): the client
// authenticates as at the token endpoint (a public client by client_id alone) and gets a
// device code to poll with and a user code for the user to approve.
func (s *Server) serveDeviceAuthorization(w http.ResponseWriter, r *http.Request, e *Entry) {
	resp, oerr := s.deviceAuthorization(w, r, e)
	if oerr != nil {
		e.Error, e.Detail = oerr.code, oerr.detail
		writeError(w, oerr)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) deviceAuthorization(w http.ResponseWriter, r *http.Request, e *Entry) (deviceAuthResponse, *oauthError) {
	form, oerr := readForm(w, r)
	if oerr != nil {
		return deviceAuthResponse{}, oerr
	}
	client, oerr := s.authenticateRequest(r, form, e, true)
	if oerr != nil {
		return deviceAuthResponse{}, oerr
	}
	scope, oerr := grantScope(client, form.Get("scope"))
	if oerr != nil {
		return deviceAuthResponse{}, oerr
	}
	e.Scope = Sanitize(scope, 200)
	deviceCode, oerr := s.randomID(32)
	if oerr != nil {
		return deviceAuthResponse{}, oerr
	}
	now := s.cfg.Now()
	d := DeviceCode{ClientID: client.ID, Scope: scope, Expires: now.Add(s.deviceTTL), Interval: s.deviceInterval}
	// A collision with a live user code is rare (one in 2^34 per live code); draw again.
	var userCode string
	for range 5 {
		if userCode, oerr = s.userCode(); oerr != nil {
			return deviceAuthResponse{}, oerr
		}
		d.UserCode = TokenHash(userCode)
		err := s.store.PutDevice(TokenHash(deviceCode), d, now)
		if errors.Is(err, ErrUserCodeTaken) {
			continue
		}
		if err != nil {
			return deviceAuthResponse{}, storeFailed(err)
		}
		shown := userCode[:4] + "-" + userCode[4:]
		return deviceAuthResponse{
			DeviceCode:              deviceCode,
			UserCode:                shown,
			VerificationURI:         s.URL(PathDevice),
			VerificationURIComplete: s.URL(PathDevice) + "?user_code=" + shown,
			ExpiresIn:               int64(s.deviceTTL.Seconds()),
			Interval:                int64(s.deviceInterval.Seconds()),
		}, nil
	}
	return deviceAuthResponse{}, newError(http.StatusServiceUnavailable, ErrTemporarilyUnavailable,
		"no free user code was found; retry")
}

// userCode draws userCodeLen letters of userCodeAlphabet uniformly (bytes past the largest
// multiple of the alphabet's size are dropped, so no letter is likelier than another).
func (s *Server) userCode() (string, *oauthError) {
	const n = len(userCodeAlphabet)
	limit := byte(256 / n * n)
	out := make([]byte, 0, userCodeLen)
	buf := make([]byte, 16)
	for len(out) < userCodeLen {
		if _, err := io.ReadFull(s.cfg.Rand, buf); err != nil {
			return "", serverError("reading randomness failed")
		}
		for _, b := range buf {
			if b < limit && len(out) < userCodeLen {
				out = append(out, userCodeAlphabet[int(b)%n])
			}
		}
	}
	return string(out), nil
}

// NormalizeUserCode turns what a user typed into the stored form of a user code: letters
// upper-cased, dashes and spaces dropped (RFC 8628 §6.1). It reports false when the result
// is not userCodeLen letters of the alphabet.
func NormalizeUserCode(typed string) (string, bool) {
	if len(typed) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == '-' || r == ' ':
		case r < 0x80 && strings.IndexByte(userCodeAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	if b.Len() != userCodeLen {
		return "", false
	}
	return b.String(), true
}

// deviceGrant is the device code grant (RFC 8628 §3.4, §3.5): pending, too early, denied and
// expired polls get their error codes and nothing else; an approved code gets the tokens once,
// and a second use revokes them, as a reused authorization code does.
func (s *Server) deviceGrant(c *Client, form url.Values, b binding) (tokenResponse, *oauthError) {
	dc := form.Get("device_code")
	if dc == "" {
		return tokenResponse{}, newError(http.StatusBadRequest, ErrInvalidRequest, "device_code is missing")
	}
	// Every check that could fail comes before the poll, which uses the code up on approval.
	aud, oerr := s.requestedAudience(form)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	familyID, oerr := s.randomID(16)
	if oerr != nil {
		return tokenResponse{}, oerr
	}
	now := s.cfg.Now()
	d, poll := s.store.PollDevice(TokenHash(dc), c.ID, familyID, now)
	switch poll {
	case PollUnknown:
		return tokenResponse{}, invalidGrant("the device code is unknown or was issued to another client")
	case PollExpired:
		return tokenResponse{}, newError(http.StatusBadRequest, ErrExpiredToken,
			"the device code has expired; start again at the device authorization endpoint")
	case PollSlowDown:
		return tokenResponse{}, newError(http.StatusBadRequest, ErrSlowDown,
			"polling too fast; wait "+d.Interval.String()+" between requests (RFC 8628 §3.5)")
	case PollPending:
		return tokenResponse{}, newError(http.StatusBadRequest, ErrAuthorizationPending,
			"the user has not approved the request yet")
	case PollDenied:
		return tokenResponse{}, newError(http.StatusBadRequest, ErrAccessDenied, "the user denied the request")
	case PollReplayed:
		s.store.RevokeFamily(d.Family, now)
		return tokenResponse{}, invalidGrant("the device code was already used; the tokens issued for it are revoked")
	}
	g := grant{binding: b, grantType: GrantDeviceCode, client: c, scope: d.Scope, audience: aud, subject: d.Subject, authTime: d.AuthTime.Unix()}
	// Without a refresh token the family matters only while its access token lives: a replay
	// of the device code revokes it until then.
	return s.startFamily(&g, familyID, d.AuthTime, now.Add(s.ttl), "", now)
}

// setDeviceTimes checks and installs the device code lifetime and polling interval.
func (s *Server) setDeviceTimes(ttl, interval time.Duration) error {
	if ttl == 0 {
		ttl = DefaultDeviceTTL
	}
	if interval == 0 {
		interval = DefaultDeviceInterval
	}
	switch {
	case ttl < 0 || ttl > MaxDeviceLifetime:
		return usageError("the device code lifetime must be positive and at most %s", MaxDeviceLifetime)
	case interval < time.Second || interval%time.Second != 0 || interval >= ttl:
		return usageError("the device polling interval must be whole seconds, at least 1s and shorter than the device code lifetime")
	}
	s.deviceTTL, s.deviceInterval = ttl, interval
	return nil
}
