package keys

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// Resolver turns a flag value into bytes. All I/O is injected: production code passes
// os.Getenv, ReadFile (this package's, which caps the size) and os.Stdin.
//
// The grammar, shared by every flag that takes key material:
//
//	@path      the file's contents
//	env:NAME   the value of environment variable NAME (unset or empty is an error)
//	b64:…      standard base64, padding optional
//	b64url:…   URL-safe base64, padding optional
//	hex:…      hexadecimal, either case
//	-          standard input (an error when Stdin is nil because it carries the token)
//
// Anything else is the literal secret for Secret and a file path for KeyFile. A secret that
// itself starts with one of these prefixes can be given as b64:, hex: or env:.
type Resolver struct {
	Getenv   func(string) string          // environment lookup
	ReadFile func(string) ([]byte, error) // file reading; results over MaxInputSize are refused
	Stdin    io.Reader                    // nil when stdin is already used for the token
	// StdinTakenBy names what reads stdin when Stdin is nil ("--claims -"), for the error
	// that refuses "-"; empty means the token.
	StdinTakenBy string
}

// Secret resolves an HMAC or client secret. A secret read from a file (@path) or from stdin
// (-) loses ONE trailing newline ("\n" or "\r\n"), because people write secrets with echo; all
// other bytes are kept. An empty result is an error. Errors are failure.Usage with code "key"
// and never contain the secret.
func (r Resolver) Secret(spec string) ([]byte, error) {
	data, _, err := r.resolve(spec, false)
	if err != nil {
		return nil, failure.Usage("key", err)
	}
	if len(data) == 0 {
		return nil, failure.Usage("key", errors.New("the secret is empty; pass a non-empty value"))
	}
	return data, nil
}

// KeyFile resolves a key flag: the same prefixes as Secret, but a bare value is a path. It
// returns the bytes unchanged and a display name for messages ("key.pem", "$NAME", "stdin",
// "inline b64") — never the content. Errors are failure.Usage with code "key".
func (r Resolver) KeyFile(spec string) (data []byte, name string, err error) {
	data, name, err = r.resolve(spec, true)
	if err != nil {
		return nil, "", failure.Usage("key", err)
	}
	if len(data) == 0 {
		return nil, "", failure.Usagef("key", "%s is empty; expected a PEM key, a JWK or a JWK Set", name)
	}
	return data, name, nil
}

// resolve applies the grammar; bare says whether a bare value is a path (true) or a literal.
func (r Resolver) resolve(spec string, bare bool) ([]byte, string, error) {
	switch {
	case spec == "-":
		data, err := r.stdin()
		if err != nil {
			return nil, "", err
		}
		if !bare {
			data = trimOneNewline(data)
		}
		return data, "stdin", nil
	case strings.HasPrefix(spec, "@"):
		data, err := r.file(spec[1:])
		if err != nil {
			return nil, "", err
		}
		if !bare {
			data = trimOneNewline(data)
		}
		return data, spec[1:], nil
	case strings.HasPrefix(spec, "env:"):
		name := spec[len("env:"):]
		if name == "" {
			return nil, "", errors.New(`"env:" needs a variable name, as in env:JWTKIT_SECRET`)
		}
		if r.Getenv == nil {
			return nil, "", fmt.Errorf("environment variable %s cannot be read here", name)
		}
		v := r.Getenv(name)
		if v == "" {
			return nil, "", fmt.Errorf("environment variable %s is not set or empty; export it or pass the key another way", name)
		}
		if len(v) > MaxInputSize {
			return nil, "", fmt.Errorf("environment variable %s is larger than %d bytes", name, MaxInputSize)
		}
		return []byte(v), "$" + name, nil
	case strings.HasPrefix(spec, "b64:"):
		data, err := decodeBase64(spec[len("b64:"):], base64.StdEncoding)
		if err != nil {
			return nil, "", fmt.Errorf("invalid b64: value: %w; use standard base64 (A-Z a-z 0-9 + /)", err)
		}
		return data, "inline b64", nil
	case strings.HasPrefix(spec, "b64url:"):
		data, err := decodeBase64(spec[len("b64url:"):], base64.URLEncoding)
		if err != nil {
			return nil, "", fmt.Errorf("invalid b64url: value: %w; use URL-safe base64 (A-Z a-z 0-9 - _)", err)
		}
		return data, "inline b64url", nil
	case strings.HasPrefix(spec, "hex:"):
		s := spec[len("hex:"):]
		data, err := hex.DecodeString(s)
		if err != nil {
			return nil, "", errors.New("invalid hex: value: use an even number of hexadecimal digits")
		}
		return data, "inline hex", nil
	}
	if len(spec) > MaxInputSize {
		return nil, "", fmt.Errorf("the value is larger than %d bytes", MaxInputSize)
	}
	if bare {
		if spec == "" {
			return nil, "", errors.New("no key file given; pass a path, @path, env:NAME or -")
		}
		data, err := r.file(spec)
		return data, spec, err
	}
	return []byte(spec), "inline secret", nil
}

func (r Resolver) stdin() ([]byte, error) {
	if r.Stdin == nil {
		by := r.StdinTakenBy
		if by == "" {
			by = "the token"
		}
		return nil, fmt.Errorf("stdin is already used by %s, so key material cannot be read from it too; pass it as @file or env:NAME", by)
	}
	data, err := ReadLimited(r.Stdin, MaxInputSize)
	if err != nil {
		return nil, fmt.Errorf("reading key material from stdin: %w", err)
	}
	return data, nil
}

func (r Resolver) file(path string) ([]byte, error) {
	if path == "" {
		return nil, errors.New(`"@" needs a file name, as in @key.pem`)
	}
	if r.ReadFile == nil {
		return nil, fmt.Errorf("cannot read %s here", path)
	}
	data, err := r.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, plainPathError(err))
	}
	if len(data) > MaxInputSize {
		return nil, fmt.Errorf("%s is larger than %d bytes; it is not a key file", path, MaxInputSize)
	}
	return data, nil
}

// plainPathError drops the operation and path from an *os.PathError, which the caller's message
// already names, keeping "no such file or directory" and the like.
func plainPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ReadFile reads the named file like os.ReadFile but never more than MaxInputSize+1 bytes, and
// refuses a larger file or a directory. It is the ReadFile a production Resolver uses.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, errors.New("is a directory")
	}
	data, err := ReadLimited(f, MaxInputSize)
	if err != nil {
		return nil, err
	}
	return data, nil
}

// ReadLimited reads r to the end, refusing more than limit bytes.
func ReadLimited(r io.Reader, limit int) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > limit {
		return nil, fmt.Errorf("more than %d bytes, the limit for keys, secrets and other input files", limit)
	}
	return data, nil
}

// decodeBase64 decodes s with enc, padding optional, refusing any byte outside the alphabet
// (Go's decoder would silently skip newlines) and non-zero trailing bits.
func decodeBase64(s string, enc *base64.Encoding) ([]byte, error) {
	if len(s) > 2*MaxInputSize {
		return nil, errors.New("too long")
	}
	trimmed := strings.TrimRight(s, "=")
	if pad := len(s) - len(trimmed); pad > 0 && (pad > 2 || len(s)%4 != 0) {
		return nil, errors.New("wrong padding")
	}
	s = trimmed
	if len(s)%4 == 1 {
		return nil, errors.New("wrong length")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			return nil, errors.New("line breaks inside the value")
		}
	}
	data, err := enc.WithPadding(base64.NoPadding).Strict().DecodeString(s)
	if err != nil {
		return nil, errors.New("not valid base64")
	}
	return data, nil
}

func trimOneNewline(b []byte) []byte {
	if n := len(b); n >= 2 && b[n-2] == '\r' && b[n-1] == '\n' {
		return b[:n-2]
	}
	if n := len(b); n >= 1 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}
