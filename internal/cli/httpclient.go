package cli

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"time"

	"github.com/jwtkit/jwtkit/internal/safehttp"
)

// newHTTPClient returns the hardened client every remote call goes through: the command's
// timeout, the injected transport (or the environment's proxy settings on the real one), and
// --insecure with a warning that says what it exposes (risk). verbose, when not nil, receives
// the redacted request log.
func newHTTPClient(g *Global, timeout time.Duration, insecure bool, risk string, verbose io.Writer) *safehttp.Client {
	return newHTTPClientTLS(g, timeout, insecure, risk, verbose, nil, nil)
}

// newHTTPClientTLS is newHTTPClient with roots that replace the system's (nil: the system's)
// and a TLS client certificate for mutual TLS (nil: none). An empty risk says nothing of
// --insecure (another client of the same run has warned).
func newHTTPClientTLS(g *Global, timeout time.Duration, insecure bool, risk string, verbose io.Writer,
	roots *x509.CertPool, cert *tls.Certificate) *safehttp.Client {
	if insecure && risk != "" {
		g.Warnf("--insecure: plain http and unverified TLS certificates are allowed; %s", risk)
	}
	o := safehttp.Options{
		Timeout:       timeout,
		AllowInsecure: insecure,
		Transport:     g.deps.Transport,
		Version:       resolveVersion(g.deps.Build).Version,
		Verbose:       verbose,

		RootCAs:           roots,
		ClientCertificate: cert,
	}
	if o.Transport == nil {
		o.Proxy = http.ProxyFromEnvironment
	}
	return safehttp.New(o)
}
