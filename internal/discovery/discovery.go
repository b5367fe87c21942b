// Package discovery fetches and checks an authorization server's metadata: OpenID Connect
// Discovery 1.0 (/.well-known/openid-configuration), falling back to RFC 8414
// (/.well-known/oauth-authorization-server).
//
// A returned Document is guaranteed to name the issuer that was asked for (see IssuerMatches)
// and to hold only https endpoint URLs, or http ones on loopback hosts (or anywhere when the
// client allows insecure connections).
package discovery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/diskcache"
	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// DefaultTTL is how long a document is cached when the server sends no max-age.
const DefaultTTL = 5 * time.Minute

// Document is the part of the metadata jwtkit uses, plus the whole document as received.
type Document struct {
	// Issuer is the issuer identifier the document names; it matches the one asked for.
	Issuer string `json:"issuer"`
	// JWKSURI locates the issuer's JWK Set; empty if the document has none.
	JWKSURI string `json:"jwks_uri,omitempty"`
	// TokenEndpoint is the OAuth 2.0 token endpoint; empty if the document has none.
	TokenEndpoint string `json:"token_endpoint,omitempty"`
	// TokenEndpointAuthMethodsSupported lists the client authentication methods the token
	// endpoint accepts; empty means the server did not say.
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	// ScopesSupported lists scopes the server advertises.
	ScopesSupported []string `json:"scopes_supported,omitempty"`
	// GrantTypesSupported lists the grant types the server advertises.
	GrantTypesSupported []string `json:"grant_types_supported,omitempty"`
	// Raw is the document exactly as received.
	Raw json.RawMessage `json:"-"`
}

// Fetch retrieves and checks the metadata of issuer, without a cache. It first asks for
// issuer + "/.well-known/openid-configuration"; when that answers 404 it asks for the RFC 8414
// location, which puts "/.well-known/oauth-authorization-server" between the host and the
// issuer's path. Network errors are failure.Remote; an unusable issuer is failure.Usage.
func Fetch(ctx context.Context, c *safehttp.Client, issuer string) (*Document, error) {
	return (&Fetcher{Client: c}).Fetch(ctx, issuer)
}

// Fetcher retrieves metadata through an optional on-disk cache.
type Fetcher struct {
	// Client sends the requests.
	Client *safehttp.Client
	// Cache, when non-nil, keeps documents for as long as the response's Cache-Control max-age
	// allows (DefaultTTL when absent, never more than diskcache.MaxLifetime).
	Cache *diskcache.Cache
	// DefaultTTL replaces DefaultTTL when positive.
	DefaultTTL time.Duration
	// Warn, when non-nil, receives one-line warnings about cache trouble.
	Warn func(string)
}

// Fetch is the package-level Fetch, consulting and filling f.Cache. A cached document is
// checked again, exactly like a fresh one, before it is returned.
func (f *Fetcher) Fetch(ctx context.Context, issuer string) (*Document, error) {
	urls, err := WellKnownURLs(issuer)
	if err != nil {
		return nil, err
	}
	insecure := f.Client.AllowsInsecure()
	key := cacheKey(issuer, insecure)
	if f.Cache != nil {
		body, ok, warning := f.Cache.Get(key)
		f.warn(warning)
		if ok {
			if doc, err := Parse(body, issuer, insecure); err == nil {
				return doc, nil
			}
			_ = f.Cache.Delete(key)
		}
	}
	resp, err := f.Client.Get(ctx, urls[0])
	if isNotFound(err) {
		resp, err = f.Client.Get(ctx, urls[1])
		if isNotFound(err) {
			return nil, failure.Remotef("discovery_not_found",
				"no metadata for issuer %s: %s and %s both answered HTTP 404; check the issuer URL",
				shown(issuer), shown(urls[0]), shown(urls[1]))
		}
	}
	if err != nil {
		return nil, err
	}
	doc, err := Parse(resp.Body, issuer, insecure)
	if err != nil {
		return nil, fmt.Errorf("metadata from %s: %w", safehttp.Sanitize(resp.URL, 300), err)
	}
	if f.Cache != nil {
		ttl := f.DefaultTTL
		if ttl <= 0 {
			ttl = DefaultTTL
		}
		if expires, ok := diskcache.Expiry(resp.Header, f.Cache.Now(), ttl); ok {
			if err := f.Cache.Put(key, resp.Body, expires); err != nil {
				f.warn("not caching the metadata of " + shown(issuer) + ": " + err.Error())
			}
		}
	}
	return doc, nil
}

func (f *Fetcher) warn(s string) {
	if s != "" && f.Warn != nil {
		f.Warn(s)
	}
}

func cacheKey(issuer string, insecure bool) string {
	return fmt.Sprintf("discovery\x00%s\x00insecure=%t", strings.TrimSuffix(issuer, "/"), insecure)
}

func isNotFound(err error) bool {
	var e *safehttp.Error
	return errors.As(err, &e) && e.Reason == safehttp.ReasonStatus && e.Status == http.StatusNotFound
}

func shown(s string) string { return safehttp.Sanitize(s, 300) }

// WellKnownURLs returns where issuer's metadata may be found, in the order Fetch tries them:
// the OpenID Connect location (issuer + "/.well-known/openid-configuration") and the RFC 8414
// §3.1 location (scheme://host/.well-known/oauth-authorization-server + the issuer's path).
// The issuer must be an absolute http(s) URL without query or fragment (RFC 8414 §2).
func WellKnownURLs(issuer string) ([]string, error) {
	u, err := url.Parse(issuer)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return nil, failure.Usagef("invalid_issuer", "issuer %q is not an absolute https URL", shown(issuer))
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(issuer, "?#"):
		return nil, failure.Usagef("invalid_issuer", "issuer %q must not have a query or fragment (RFC 8414 §2)", shown(issuer))
	case u.User != nil:
		return nil, failure.Usagef("invalid_issuer", "issuer %s must not contain user information", u.Redacted())
	}
	trimmed := strings.TrimSuffix(issuer, "/")
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	origin := u.Scheme + "://" + u.Host
	return []string{
		trimmed + "/.well-known/openid-configuration",
		origin + "/.well-known/oauth-authorization-server" + path,
	}, nil
}

// IssuerMatches reports whether the issuer a document names is the one asked for. The rule is
// exact, case-sensitive string equality after removing one trailing "/" from each: OpenID
// Connect Discovery §4.3 demands the exact issuer, and the only leniency allowed is for the
// slash people add or drop when typing a bare host ("https://idp.example/" is
// "https://idp.example"). No other normalisation is done: not of case, default ports, percent
// encoding or dot segments.
func IssuerMatches(asked, named string) bool {
	return asked != "" && strings.TrimSuffix(asked, "/") == strings.TrimSuffix(named, "/")
}

// Parse checks a metadata document received for issuer: it must be a JSON object whose members
// have the right types, whose issuer matches (IssuerMatches), and whose jwks_uri and
// token_endpoint, when present, are https URLs, or http on a loopback host, or any http when
// allowInsecure. Errors are failure.Remote: the document comes from the remote party.
func Parse(body []byte, issuer string, allowInsecure bool) (*Document, error) {
	var doc Document
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, failure.Remotef("invalid_discovery", "the metadata document is not valid: %s", describeJSONError(err))
	}
	if doc.Issuer == "" {
		return nil, failure.Remotef("invalid_discovery", "the metadata document has no issuer")
	}
	if !IssuerMatches(issuer, doc.Issuer) {
		return nil, failure.Remotef("issuer_mismatch",
			"the metadata document names issuer %q, not %q; use the exact issuer the server publishes",
			shown(doc.Issuer), shown(issuer))
	}
	for _, ep := range []struct{ name, value string }{{"jwks_uri", doc.JWKSURI}, {"token_endpoint", doc.TokenEndpoint}} {
		if ep.value == "" {
			continue
		}
		if problem := checkEndpoint(ep.value, allowInsecure); problem != "" {
			return nil, failure.Remotef("invalid_discovery", "the metadata document's %s %q is unusable: %s",
				ep.name, shown(ep.value), problem)
		}
	}
	doc.Raw = append(json.RawMessage(nil), body...)
	return &doc, nil
}

func checkEndpoint(raw string, allowInsecure bool) string {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Hostname() == "":
		return "not an absolute URL"
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return "it has a fragment"
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && (allowInsecure || safehttp.IsLoopback(u.Hostname())):
		return ""
	case u.Scheme == "http":
		return "plain http is allowed only to loopback addresses"
	}
	return "only https URLs are supported"
}

func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field != "" {
			return fmt.Sprintf("member %q has the wrong type (%s)", safehttp.Sanitize(typeErr.Field, 100), typeErr.Value)
		}
		return fmt.Sprintf("expected a JSON object, found %s", typeErr.Value)
	}
	return "not JSON: " + safehttp.Sanitize(err.Error(), 200)
}
