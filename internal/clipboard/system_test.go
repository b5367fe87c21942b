package clipboard

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"testing"
)

// TestSystemClipboard writes and reads the machine's real clipboard. It needs a clipboard tool
// and a display (on Linux: xclip or xsel with $DISPLAY, or wl-clipboard with $WAYLAND_DISPLAY),
// so it skips without them — unless JWTKIT_TEST_REAL_CLIPBOARD=1, which CI sets when it runs it
// under Xvfb with xclip installed, and which turns a skip into a failure.
func TestSystemClipboard(t *testing.T) {
	required := os.Getenv("JWTKIT_TEST_REAL_CLIPBOARD") == "1"
	skip := func(reason string) {
		if required {
			t.Fatalf("JWTKIT_TEST_REAL_CLIPBOARD=1 but %s", reason)
		}
		t.Skip(reason)
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		skip("no display ($DISPLAY, $WAYLAND_DISPLAY)")
	}
	found := false
	for _, tool := range []string{"xclip", "xsel", "wl-copy"} {
		if _, err := exec.LookPath(tool); err == nil {
			found = true
		}
	}
	if !found {
		skip("no clipboard tool (xclip, xsel, wl-copy)")
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	want := "eyJhbGciOiJub25lIn0.eyJ0ZXN0IjoiY2xpcGJvYXJkIn0." + hex.EncodeToString(b)
	var c Clipboard = System{}
	if err := c.WriteAll(want); err != nil {
		t.Fatalf("WriteAll: %v", err)
	}
	got, err := c.ReadAll()
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	if got != want {
		t.Fatalf("read back %q, wrote %q", got, want)
	}
}

func TestMemory(t *testing.T) {
	m := &Memory{}
	if err := m.WriteAll("a.b.c"); err != nil {
		t.Fatal(err)
	}
	if got, err := m.ReadAll(); got != "a.b.c" || err != nil {
		t.Fatalf("ReadAll = %q, %v", got, err)
	}
	m.Err = ErrUnavailable
	if err := m.WriteAll("x"); !errors.Is(err, ErrUnavailable) || m.Text != "a.b.c" {
		t.Fatalf("WriteAll with Err: %v, text %q", err, m.Text)
	}
	if _, err := m.ReadAll(); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("ReadAll with Err: %v", err)
	}
}
