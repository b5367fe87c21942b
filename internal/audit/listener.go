package audit

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/jwtkit/jwtkit/internal/attacks/forge"
)

// Listener is the attacker's key server that jku and x5u variants name: it serves the
// attacker's JWK Set and certificate on 127.0.0.1 and counts the requests for each.
type Listener struct {
	srv  *http.Server
	ln   net.Listener
	mu   sync.Mutex
	hits map[string]int
}

// Listen starts a Listener on addr (127.0.0.1:0 when empty) serving the attacker's keys.
func Listen(addr string, a *forge.Attacker) (*Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	l := &Listener{ln: ln, hits: map[string]int{}}
	jwks, cert := a.JWKS(), a.CertPEM()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.hits[r.URL.Path]++
		l.mu.Unlock()
		switch r.URL.Path {
		case forge.JKUPath:
			w.Header().Set("Content-Type", "application/jwk-set+json")
			_, _ = w.Write(jwks)
		case forge.X5UPath:
			w.Header().Set("Content-Type", "application/pem-certificate-chain")
			_, _ = w.Write(cert)
		default:
			http.NotFound(w, r)
		}
	})
	l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	// Serve returns when Close is called; a fetch that failed in between reads as not fetched.
	go func() { _ = l.srv.Serve(ln) }()
	return l, nil
}

// URL is the listener's base URL.
func (l *Listener) URL() string { return "http://" + l.ln.Addr().String() }

// Hits returns how many requests the path has had.
func (l *Listener) Hits(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hits[path]
}

// Close stops the listener.
func (l *Listener) Close() error { return l.srv.Close() }
