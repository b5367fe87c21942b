package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/jwtkit/jwtkit/internal/failure"
	"github.com/jwtkit/jwtkit/internal/oauth"
)

// childExit carries a child command's exit status out of exec, so jwtkit exits with it and
// prints nothing of its own.
type childExit struct{ code int }

func (c childExit) Error() string { return fmt.Sprintf("the command exited with status %d", c.code) }

// newExecCmd is fetch whose token goes into a command's environment instead of stdout.
func newExecCmd(g *Global) *cobra.Command {
	opts := &FetchOptions{}
	cmd := newFetchCmdWith(g, opts)
	cmd.Use = "exec [fetch flags] -- COMMAND [ARG…]"
	cmd.Aliases = nil
	cmd.Short = "Run a command with a fetched access token in its environment, never in argv"
	cmd.Long = `Get an access token exactly as 'jwtkit fetch' does (every fetch flag, profile and the
cache apply) and run COMMAND with it in $JWTKIT_TOKEN and $ACCESS_TOKEN, and its type (Bearer
or DPoP) in $JWTKIT_TOKEN_TYPE. The token is never put in the command's arguments, where ps and
shell history would show it. As with fetch, a cached token is used only while it has more than
60 seconds left; else a fresh one (or a refreshed one, with --keep-refresh) is fetched first.

COMMAND runs directly (no shell) with jwtkit's stdin, stdout and stderr; SIGINT and SIGTERM are
passed on to it, and jwtkit exits with its exit status. When the token cannot be had, COMMAND
does not run and jwtkit exits as fetch would. With --json, jwtkit's own errors are JSON on
stderr (COMMAND's output is its own). fetch's --copy, --decode and --logout are not taken here:
use jwtkit fetch for them.

` + exitCodesHelp
	cmd.Example = `  $ jwtkit exec --profile staging -- sh -c 'curl -H "Authorization: Bearer $ACCESS_TOKEN" https://api.example/users'
  $ jwtkit exec --issuer https://idp.example/ --client-id ci --client-secret env:CI_SECRET -- ./integration-tests`
	cmd.Args = cobra.MinimumNArgs(1)
	hideFetchOutputFlags(cmd)
	var argv []string
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := refuseFetchOutputFlags(cmd); err != nil {
			return err
		}
		if cmd.ArgsLenAtDash() != 0 {
			return failure.Usagef("usage", "put the command after --, as in: jwtkit exec [fetch flags] -- COMMAND [ARG…]")
		}
		argv = args
		opts.changed = cmd.Flags().Changed
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		return runFetch(ctx, g, opts)
	}
	opts.deliver = func(r *fetchRun, tok *oauth.Token) error {
		return runWithToken(g, argv, tok)
	}
	return cmd
}

// runWithToken runs argv with tok in its environment and returns childExit for a non-zero
// status.
func runWithToken(g *Global, argv []string, tok *oauth.Token) error {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return failure.Usagef("usage", "cannot run %s: %v", quoteName(argv[0]), errors.Unwrap(err))
	}
	c := exec.Command(path, argv[1:]...)
	c.Env = append(os.Environ(),
		"JWTKIT_TOKEN="+tok.AccessToken,
		"ACCESS_TOKEN="+tok.AccessToken,
		"JWTKIT_TOKEN_TYPE="+tok.TokenType,
	)
	c.Stdin, c.Stdout, c.Stderr = g.deps.IO.In, g.deps.IO.Out, g.deps.IO.ErrOut
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(signals)
	if err := c.Start(); err != nil {
		return failure.Usagef("usage", "cannot run %s: %v", quoteName(argv[0]), err)
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-signals:
				_ = c.Process.Signal(s) // the child may have exited already
			case <-done:
				return
			}
		}
	}()
	err = c.Wait()
	close(done)
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code := exitErr.ExitCode()
		if code < 0 { // killed by a signal: the shell's convention, 128 + the signal
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				code = 128 + int(ws.Signal())
			} else {
				code = 1
			}
		}
		return childExit{code: code}
	}
	if err != nil {
		return fmt.Errorf("running %s: %w", quoteName(argv[0]), err)
	}
	return nil
}
