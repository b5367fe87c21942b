package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// metadataHandler serves a JWK Set at /jwks.json and OIDC discovery metadata naming it at
// /.well-known/openid-configuration, both cacheable for an hour, so that verify --jwks and
// --issuer can be timed on a cache hit (jwtkit serve marks its answers no-store).
func metadataHandler(issuer string, jwks []byte) http.Handler {
	mux := http.NewServeMux()
	doc, _ := json.Marshal(map[string]string{"issuer": issuer, "jwks_uri": issuer + "/jwks.json"})
	serve := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "max-age=3600")
			_, _ = w.Write(body)
		}
	}
	mux.Handle("GET /jwks.json", serve(jwks))
	mux.Handle("GET /.well-known/openid-configuration", serve(doc))
	return mux
}

// cmdServe serves metadataHandler on a free loopback port, prints its URL on stdout once it
// listens, and stops on SIGINT or SIGTERM.
func cmdServe(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jwksFile := fs.String("jwks", "", "JWK Set `FILE` to publish")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *jwksFile == "" {
		return errors.New("need -jwks FILE")
	}
	jwks, err := os.ReadFile(*jwksFile)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	srv := &http.Server{Handler: metadataHandler(url, jwks), ReadHeaderTimeout: 5 * time.Second}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-stop
		_ = srv.Close()
	}()
	fmt.Fprintln(stdout, url)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
