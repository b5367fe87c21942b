package cli

import (
	"fmt"
	"io"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// resolver returns the key-material resolver for this run; stdinFree says whether a key or
// secret may be read from stdin ("-").
func resolver(g *Global, stdinFree bool) keys.Resolver {
	var stdin io.Reader
	if stdinFree {
		stdin = g.deps.IO.In
	}
	return keys.Resolver{Getenv: g.deps.Getenv, ReadFile: g.deps.ReadFile, Stdin: stdin}
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
