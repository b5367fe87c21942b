package cli

import (
	"errors"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/issuer"
)

// openServeState opens the --state file, or returns a nil Store (state in memory) without one.
// The caller closes the store when serve stops.
func openServeState(g *Global, opts *ServeOptions) (*issuer.BoltStore, error) {
	if opts.State == "" {
		return nil, nil
	}
	s, err := issuer.OpenBoltStore(opts.State, 0, g.Now())
	if err != nil {
		if errors.Is(err, issuer.ErrStateLocked) {
			return nil, failure.Usagef("usage", "--state %s: another serve is using it; stop that one or give each its own file", opts.State)
		}
		return nil, failure.Usagef("usage", "--state: %v", err)
	}
	return s, nil
}
