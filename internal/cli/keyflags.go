package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/safefile"
)

// resolver returns the key-material resolver for this run; stdinFree says whether a key or
// secret may be read from stdin ("-").
func resolver(g *Global, stdinFree bool) keys.Resolver {
	var stdin io.Reader
	if stdinFree {
		stdin = g.deps.IO.In
	}
	return keys.Resolver{Getenv: g.deps.Getenv, ReadFile: g.deps.ReadFile, Stdin: stdin, StdinTakenBy: g.stdinTakenBy}
}

// envDefault returns flag when set, else the named environment variable, so secrets can stay
// out of argv.
func envDefault(g *Global, flag, env string) string {
	if flag != "" {
		return flag
	}
	return g.deps.Getenv(env)
}

// loadKeyFile reads and parses every key in the key file named by spec.
func loadKeyFile(g *Global, spec string, passphrase []byte, stdinFree bool) ([]keys.Key, error) {
	data, name, err := resolver(g, stdinFree).KeyFile(spec)
	if err != nil {
		return nil, err
	}
	list, err := keys.Parse(data, keys.ParseOptions{Source: name, Passphrase: passphrase})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, failure.Usagef("key", "%s holds no key", name)
	}
	for _, k := range list {
		if k.IsPrivate() || k.IsSymmetric() {
			warnReadableFile(g, spec, true)
			break
		}
	}
	return list, nil
}

// resolvePassphrase reads --passphrase (or JWTKIT_PASSPHRASE) with the secret grammar.
func resolvePassphrase(g *Global, flag string, stdinFree bool) ([]byte, error) {
	spec := envDefault(g, flag, "JWTKIT_PASSPHRASE")
	if spec == "" {
		return nil, nil
	}
	p, err := resolver(g, stdinFree).Secret(spec)
	if err != nil {
		return nil, fmt.Errorf("--passphrase: %w", err)
	}
	return p, nil
}

// warnReadableFile warns when the file a secret or key spec names (@path, or a bare path for a
// key) can be read by other users, as SECURITY-NOTES asks for private keys and secrets.
func warnReadableFile(g *Global, spec string, bareIsPath bool) {
	var path string
	switch {
	case strings.HasPrefix(spec, "@"):
		path = spec[1:]
	case !bareIsPath, spec == "-", strings.HasPrefix(spec, "env:"), strings.HasPrefix(spec, "b64:"),
		strings.HasPrefix(spec, "b64url:"), strings.HasPrefix(spec, "hex:"):
		return
	default:
		path = spec
	}
	if w := safefile.CheckPrivateReadable(path, nil); w != "" {
		g.Warnf("%s", w)
	}
}
