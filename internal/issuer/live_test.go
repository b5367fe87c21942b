package issuer

import (
	"crypto/rand"
	"net/http/httptest"
	"testing"
	"time"
)

// serveLive serves the issuer New makes of cfg on a loopback port for the rest of the test, for
// the peers (node's jose, openid-client, x/oauth2) that talk to it over HTTP. cfg.Issuer is set
// to the port's URL; the real clock and randomness are used unless cfg gives others.
func serveLive(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	cfg.Issuer = "http://" + ts.Listener.Addr().String()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	t.Cleanup(ts.Close)
	return srv, cfg.Issuer
}
