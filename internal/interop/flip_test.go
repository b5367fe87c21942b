package interop_test

import (
	"encoding/base64"
	"strings"
	"testing"
)

// TestFlipSignatureBit checks the tampering helper itself: exactly one bit of the decoded
// signature changes, and header and payload stay as they were, for signatures whose last
// base64url character carries padding bits (RS256: 256 bytes) and whose does not (48 bytes).
func TestFlipSignatureBit(t *testing.T) {
	for _, n := range []int{1, 32, 48, 64, 96, 132, 256, 512} {
		sig := make([]byte, n)
		for i := range sig {
			sig[i] = byte(i * 7)
		}
		token := "eyJhbGciOiJIUzI1NiJ9.e30." + base64.RawURLEncoding.EncodeToString(sig)
		got := flipSignatureBit(t, token)
		i := strings.LastIndexByte(got, '.')
		if got[:i] != token[:strings.LastIndexByte(token, '.')] {
			t.Fatalf("%d-byte signature: header or payload changed: %q", n, got)
		}
		flipped, err := base64.RawURLEncoding.DecodeString(got[i+1:])
		if err != nil || len(flipped) != n {
			t.Fatalf("%d-byte signature: result does not decode to %d bytes: %v", n, n, err)
		}
		diff := 0
		for j := range sig {
			for x := sig[j] ^ flipped[j]; x != 0; x &= x - 1 {
				diff++
			}
		}
		if diff != 1 {
			t.Fatalf("%d-byte signature: %d bits differ, want 1", n, diff)
		}
	}
}
