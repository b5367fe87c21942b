package issuer

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// Guessing user codes (RFC 8628 §5.1): 8 letters of 20 are 2^34.6 codes, and every wrong
// guess at /device is counted, per client address and in all. Past MaxUserCodeFailures from
// one address in one UserCodeFailureWindow, that address gets every lookup refused, right
// codes too, until the window ends; other addresses go on, so one flood no longer locks every
// user out. Past MaxUserCodeFailuresTotal from all addresses together, every address is
// refused for the rest of the window: a guesser spread over many addresses still gets at most
// that many guesses a minute (about 2^-25 chance a minute of hitting one live code). An IPv6
// client counts by its /64, which one host can fill with addresses.
const (
	MaxUserCodeFailures      = 50
	MaxUserCodeFailuresTotal = 500
	UserCodeFailureWindow    = time.Minute
	// maxGuessAddresses bounds the addresses counted apart; past it, a new address counts
	// towards the total only.
	maxGuessAddresses = 4096
)

// failureWindow counts failures in fixed windows of time.
type failureWindow struct {
	start time.Time
	n     int
}

func (f *failureWindow) roll(now time.Time) {
	if now.Sub(f.start) >= UserCodeFailureWindow || now.Before(f.start) {
		f.start, f.n = now, 0
	}
}

// guessLimiter counts wrong user codes per client address and in all.
type guessLimiter struct {
	mu     sync.Mutex
	all    failureWindow
	byAddr map[string]*failureWindow
}

// blocked reports whether lookups from addr (an http.Request's RemoteAddr) are refused at now.
func (g *guessLimiter) blocked(addr string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.all.roll(now)
	if g.all.n >= MaxUserCodeFailuresTotal {
		return true
	}
	w := g.byAddr[guessKey(addr)]
	if w == nil {
		return false
	}
	w.roll(now)
	return w.n >= MaxUserCodeFailures
}

// fail counts one wrong code from addr at now.
func (g *guessLimiter) fail(addr string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.all.roll(now)
	g.all.n++
	key := guessKey(addr)
	w := g.byAddr[key]
	if w == nil {
		if g.byAddr == nil {
			g.byAddr = make(map[string]*failureWindow)
		}
		if len(g.byAddr) >= maxGuessAddresses {
			for k, old := range g.byAddr {
				if now.Sub(old.start) >= UserCodeFailureWindow || now.Before(old.start) {
					delete(g.byAddr, k)
				}
			}
			if len(g.byAddr) >= maxGuessAddresses {
				return
			}
		}
		w = &failureWindow{start: now}
		g.byAddr[key] = w
	}
	w.roll(now)
	w.n++
}

// guessKey is the address a guess is counted under: the IP of remoteAddr ("host:port"), its
// /64 for IPv6, or remoteAddr itself when it is no IP.
func guessKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
