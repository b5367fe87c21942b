// Package failure classifies errors by what went wrong, so that one place can map them to
// jwtkit's exit codes: 1 the token is invalid, 2 usage or input error, 3 a remote party failed.
//
// Concern packages wrap their errors with Invalid, Usage or Remote; an error that carries no
// kind is a usage error, because it means jwtkit could not do what it was asked.
package failure

import (
	"errors"
	"fmt"
)

// Kind says which class of failure an error belongs to. Its value is the process exit code.
type Kind int

const (
	// KindInvalid means the token was read and judged invalid (bad signature, expired, …).
	KindInvalid Kind = 1
	// KindUsage means the request could not be carried out: a bad flag, an unreadable key,
	// input that is not a JWT.
	KindUsage Kind = 2
	// KindRemote means a remote party failed: network, TLS, a JWKS or token endpoint error.
	KindRemote Kind = 3
)

// String names the kind as it appears in JSON error output.
func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid"
	case KindUsage:
		return "usage"
	case KindRemote:
		return "remote"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is an error with a kind and a short, stable, machine-readable code such as "expired" or
// "malformed_token". Its message is the wrapped error's.
type Error struct {
	Kind Kind
	Code string
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }

func wrap(kind Kind, code string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Code: code, Err: err}
}

// Annotate adds a note in parentheses to err's message, keeping its kind and code.
func Annotate(err error, note string) error {
	return wrap(KindOf(err), CodeOf(err), fmt.Errorf("%w (%s)", err, note))
}

// Invalid marks err as a verdict that the token is invalid (exit 1). code names the failed check.
func Invalid(code string, err error) error { return wrap(KindInvalid, code, err) }

// Usage marks err as a usage or input error (exit 2). code names the problem.
func Usage(code string, err error) error { return wrap(KindUsage, code, err) }

// Remote marks err as a failure of a remote party (exit 3). code names the problem.
func Remote(code string, err error) error { return wrap(KindRemote, code, err) }

// Invalidf is Invalid with a formatted message; %w wraps as in fmt.Errorf.
func Invalidf(code, format string, args ...any) error {
	return Invalid(code, fmt.Errorf(format, args...))
}

// Usagef is Usage with a formatted message; %w wraps as in fmt.Errorf.
func Usagef(code, format string, args ...any) error {
	return Usage(code, fmt.Errorf(format, args...))
}

// Remotef is Remote with a formatted message; %w wraps as in fmt.Errorf.
func Remotef(code, format string, args ...any) error {
	return Remote(code, fmt.Errorf(format, args...))
}

// KindOf returns the kind of the outermost classified error in err's chain, or KindUsage when
// there is none. It returns 0 for a nil error.
func KindOf(err error) Kind {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindUsage
}

// CodeOf returns the code of the outermost classified error in err's chain, or "usage" when
// there is none, and "" for a nil error.
func CodeOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return KindOf(err).String()
}

// ExitCode maps err to the process exit code: 0 for nil, else the value of its Kind.
func ExitCode(err error) int { return int(KindOf(err)) }

// Sentinel is an error that is its message, for package-level sentinel errors compared with
// errors.Is: `var ErrTooLarge error = failure.Sentinel("token too large")`. Unlike errors.New,
// converting a constant needs no package initialisation, and every jwtkit run pays for each
// package that has some: its init code is paged in at start, one page fault (about 30 µs on a
// small VM) per package, before any command runs. A test keeps jwtkit's packages init-free.
type Sentinel string

// Error returns the message.
func (s Sentinel) Error() string { return string(s) }
