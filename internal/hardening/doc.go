// Package hardening holds jwtkit's tests of hostile conditions that span several packages:
// resource bounds (oversized and pathological tokens, a 10 MB stdin line, JWK Sets with 100,000
// keys, endless and dripping HTTP bodies, key files that never end), hostile files (cache
// entries another user could have written, corrupt entries, symbolic links where keys are
// written, permissions of what jwtkit writes), and a secrets-leak test that runs every command
// with known secrets and checks that none appears in any output, error or --verbose log.
//
// The tests drive the real command tree in-process through cli.Execute, with injected streams,
// environment and clock; where the process itself matters (memory limits, the production file
// reader, a running server) they run the binary built by testenv.BuildJwtkit.
package hardening
