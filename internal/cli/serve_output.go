package cli

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jwtkit/jwtkit/internal/issuer"
	"github.com/jwtkit/jwtkit/internal/timespec"
)

// lockedWriter serialises writes from concurrent request handlers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// formatEntry renders one request log line.
func formatEntry(at time.Time, e issuer.Entry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %d", at.UTC().Format("15:04:05.000"), e.Method, e.Path, e.Status)
	if e.ClientID != "" {
		fmt.Fprintf(&b, " client=%s", e.ClientID)
	}
	if e.AuthMethod != "" {
		fmt.Fprintf(&b, " auth=%s", e.AuthMethod)
	}
	if e.Scope != "" {
		fmt.Fprintf(&b, " scope=%q", e.Scope)
	}
	if e.Error != "" {
		fmt.Fprintf(&b, " error=%s", e.Error)
		if e.Detail != "" {
			fmt.Fprintf(&b, " (%s)", e.Detail)
		}
	}
	b.WriteByte('\n')
	return b.String()
}

// announce prints the issuer URL on stdout (or a JSON object with --json), then a summary on
// stderr.
func announce(g *Global, srv *issuer.Server, ln net.Listener, mint, generated bool, clients []issuer.Client, rotate time.Duration) error {
	out := g.deps.IO.Out
	var err error
	if g.JSONOutput() {
		port := 0
		if tcp, ok := ln.Addr().(*net.TCPAddr); ok {
			port = tcp.Port
		}
		err = writeJSONValue(out, struct {
			Issuer        string   `json:"issuer"`
			Port          int      `json:"port"`
			JWKSURI       string   `json:"jwks_uri"`
			TokenEndpoint string   `json:"token_endpoint"`
			MintEndpoint  string   `json:"mint_endpoint,omitempty"`
			Alg           string   `json:"alg"`
			Kids          []string `json:"kids"`
		}{srv.Issuer(), port, srv.URL(issuer.PathJWKS), srv.URL(issuer.PathToken), mintURL(srv, mint), srv.SigningAlg(), srv.KeyIDs()}, false)
	} else {
		_, err = fmt.Fprintln(out, srv.Issuer())
	}
	if err != nil {
		return err
	}
	if generated {
		g.Infof("no --key: generated an %s key in memory (kid %s); tokens stop verifying when serve stops", srv.SigningAlg(), srv.SigningKeyID())
	}
	ids := make([]string, 0, len(clients))
	for _, c := range clients {
		ids = append(ids, c.ID)
	}
	g.Infof("jwtkit serve: issuer %s on %s", srv.Issuer(), ln.Addr())
	g.Infof("  discovery %s", srv.URL(issuer.PathOpenIDConfiguration))
	g.Infof("  jwks      %s (%s, signing kid %s)", srv.URL(issuer.PathJWKS), srv.SigningAlg(), srv.SigningKeyID())
	if len(ids) == 0 {
		g.Infof("  token     %s (no clients: add --client ID:SECRET)", srv.URL(issuer.PathToken))
	} else {
		g.Infof("  token     %s (clients: %s)", srv.URL(issuer.PathToken), strings.Join(ids, ", "))
	}
	g.Infof("  authorize %s (headless login; users from --config)", srv.URL(issuer.PathAuthorize))
	if mint {
		g.Infof("  mint      %s (on; --allow-mint=false turns it off)", srv.URL(issuer.PathMint))
	}
	if rotate > 0 {
		g.Infof("  rotate    every %s", timespec.Compact(rotate))
	}
	return nil
}

func mintURL(srv *issuer.Server, on bool) string {
	if !on {
		return ""
	}
	return srv.URL(issuer.PathMint)
}
