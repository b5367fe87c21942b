package cli

import (
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/clipboard"
)

// TestClipboard covers --copy (mint, fetch) and --paste (decode, verify) against an injected
// clipboard: what lands on it, what is read from it, and the one warning line when there is no
// clipboard tool (which must not fail a --copy, but must fail a --paste, which has nothing to read).
func TestClipboard(t *testing.T) {
	h := fetchHarness(t)
	token := h.mint(t, "--sub", "alice", "--no-exp")
	srv := newFetchServer(t, fetchOKReply(3600), fetchOKReply(3600))

	for _, tc := range []struct {
		name     string
		clip     clipboard.Memory
		run      func() int
		code     int
		clipWant string // what the clipboard holds afterwards
		stdout   string // a substring of stdout
		stderr   string // stderr, exactly
	}{
		{
			name: "mint --copy", run: func() int { return h.run("mint", "--secret", testSecret, "--sub", "bob", "--copy") },
			clipWant: "eyJ", stdout: "eyJ", stderr: "copied the token to the clipboard\n",
		},
		{
			name: "mint --copy without a clipboard tool", clip: clipboard.Memory{Err: clipboard.ErrUnavailable},
			run:    func() int { return h.run("mint", "--secret", testSecret, "--sub", "bob", "--copy") },
			stdout: "eyJ", stderr: "jwtkit: warning: could not copy the token to the clipboard: no clipboard available (install xclip, xsel or wl-clipboard)\n",
		},
		{
			name: "mint --copy -q without a clipboard tool", clip: clipboard.Memory{Err: clipboard.ErrUnavailable},
			run:    func() int { return h.run("mint", "-q", "--secret", testSecret, "--sub", "bob", "--copy") },
			stdout: "eyJ", stderr: "",
		},
		{
			name: "fetch --copy", run: func() int { return h.fetch(t, srv, "--no-cache", "--copy") },
			clipWant: fetchAccessToken, stdout: fetchAccessToken, stderr: "copied the access token to the clipboard\n",
		},
		{
			name: "fetch --copy without a clipboard tool", clip: clipboard.Memory{Err: clipboard.ErrUnavailable},
			run:    func() int { return h.fetch(t, srv, "--no-cache", "--copy") },
			stdout: fetchAccessToken, stderr: "jwtkit: warning: could not copy the access token to the clipboard: no clipboard available (install xclip, xsel or wl-clipboard)\n",
		},
		{
			name: "decode --paste", clip: clipboard.Memory{Text: "  'Bearer " + token + "'\n"},
			run:      func() int { return h.run("decode", "--paste", "--part", "payload") },
			clipWant: "  'Bearer " + token + "'\n", stdout: `{"sub":"alice","iat":`,
		},
		{
			name: "verify --paste", clip: clipboard.Memory{Text: "Authorization: Bearer " + token},
			run:      func() int { return h.run("verify", "--paste", "--secret", testSecret, "--unchecked", "exp,aud,iss") },
			clipWant: "Authorization: Bearer " + token, stdout: `"sub": "alice"`,
		},
		{
			name: "decode --paste without a clipboard tool", clip: clipboard.Memory{Err: clipboard.ErrUnavailable},
			run: func() int { return h.run("decode", "--paste") }, code: 2,
			stderr: "jwtkit: reading the clipboard: no clipboard available (install xclip, xsel or wl-clipboard)\n",
		},
		{
			name: "verify --paste of an empty clipboard", clip: clipboard.Memory{Text: ""},
			run: func() int { return h.run("verify", "--paste", "--secret", testSecret) }, code: 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			*h.clip = tc.clip
			code := tc.run()
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, h.stderr)
			}
			if tc.clipWant != "" && !strings.HasPrefix(h.clip.Text, tc.clipWant) {
				t.Errorf("clipboard holds %q, want %q…", h.clip.Text, tc.clipWant)
			}
			if tc.stdout != "" && !strings.Contains(h.stdout.String(), tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, h.stdout)
			}
			if tc.code == 0 && h.stderr.String() != tc.stderr {
				t.Errorf("stderr %q, want %q", h.stderr, tc.stderr)
			}
			if tc.code != 0 && tc.stderr != "" && h.stderr.String() != tc.stderr {
				t.Errorf("stderr %q, want %q", h.stderr, tc.stderr)
			}
		})
	}
}
