package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jwtkit/jwtkit/internal/clipboard"
	"github.com/jwtkit/jwtkit/internal/iostreams"
	"github.com/jwtkit/jwtkit/internal/keys"
)

// BenchmarkVerifyStream measures stream mode end to end (reading lines, verifying on every
// core, writing ordered JSON lines): ns/op is the cost of one token.
func BenchmarkVerifyStream(b *testing.B) {
	for _, alg := range []string{"HS256", "RS256", "ES256", "EdDSA"} {
		b.Run(alg, func(b *testing.B) {
			dir := b.TempDir()
			io, _, _, errOut := iostreams.Test()
			deps := &Deps{
				IO:        io,
				Getenv:    func(string) string { return "" },
				Now:       func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) },
				ReadFile:  os.ReadFile,
				Clipboard: &clipboard.Memory{},
				Rand:      bytes.NewReader(nil),
				CacheDir:  func() (string, error) { return dir, nil },
				ConfigDir: func() (string, error) { return dir, nil },
			}
			mintArgs := []string{"mint", "--sub", "bench", "--aud", "api", "--scope", "read:users write:users"}
			args := []string{"verify", "--aud", "api", "--require-scope", "read:users"}
			if alg == "HS256" {
				mintArgs = append(mintArgs, "--secret", testSecret)
				args = append(args, "--secret", testSecret)
			} else {
				kind, size, curve, err := keys.KeyForAlg(alg)
				if err != nil {
					b.Fatal(err)
				}
				k, err := keys.Generate(nil, kind, size, curve, alg)
				if err != nil {
					b.Fatal(err)
				}
				priv, pub := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.pub")
				for path, key := range map[string]keys.Key{priv: k, pub: k.Public()} {
					data, err := keys.EncodePEM(key)
					if err != nil {
						b.Fatal(err)
					}
					if err := os.WriteFile(path, data, 0o600); err != nil {
						b.Fatal(err)
					}
				}
				mintArgs = append(mintArgs, "--key", priv)
				args = append(args, "--key", pub)
			}
			var tokOut bytes.Buffer
			io.Out = &tokOut
			if code := Execute(mintArgs, deps); code != 0 {
				b.Fatalf("mint: exit %d: %s", code, errOut)
			}
			tok := strings.TrimSpace(tokOut.String())
			out := &countingWriter{}
			io.Out = out
			io.In = newRepeatReader(tok+"\n", b.N)
			b.ResetTimer()
			if code := Execute(args, deps); code != 0 {
				b.Fatalf("exit %d: %s", code, errOut)
			}
			b.StopTimer()
			if b.N > 1 && out.lines.Load() != int64(b.N) {
				b.Fatalf("%d lines, want %d", out.lines.Load(), b.N)
			}
		})
	}
}
