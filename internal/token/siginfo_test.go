package token

import (
	"strings"
	"testing"
)

func TestSignatureInfo(t *testing.T) {
	der := "\x30\x44\x02\x20" + strings.Repeat("r", 32) + "\x02\x20" + strings.Repeat("s", 32)
	tests := []struct {
		name     string
		token    string
		min, max int
		ok       bool
		message  string
	}{
		{"HS256", jws(`{"alg":"HS256"}`, "{}", strings.Repeat("x", 32)), 32, 32, true, "32 bytes, as HS256 produces"},
		{"HS256 truncated", jws(`{"alg":"HS256"}`, "{}", strings.Repeat("x", 16)), 32, 32, false, "16 bytes; HS256 produces 32 bytes (truncated or altered?)"},
		{"HS384", jws(`{"alg":"HS384"}`, "{}", strings.Repeat("x", 48)), 48, 48, true, "48 bytes, as HS384 produces"},
		{"HS512", jws(`{"alg":"HS512"}`, "{}", strings.Repeat("x", 64)), 64, 64, true, "64 bytes, as HS512 produces"},
		{"ES256", jws(`{"alg":"ES256"}`, "{}", strings.Repeat("x", 64)), 64, 64, true, "64 bytes, raw r||s as ES256 produces"},
		{"ES256 DER", jws(`{"alg":"ES256"}`, "{}", der), 64, 64, false, "70 bytes, DER-encoded; a JWS ES256 signature is raw r||s of 64 bytes (RFC 7518 §3.4)"},
		{"ES384", jws(`{"alg":"ES384"}`, "{}", strings.Repeat("x", 96)), 96, 96, true, "96 bytes, raw r||s as ES384 produces"},
		{"ES512", jws(`{"alg":"ES512"}`, "{}", strings.Repeat("x", 132)), 132, 132, true, "132 bytes, raw r||s as ES512 produces"},
		{"ES512 DER long form", jws(`{"alg":"ES512"}`, "{}", "\x30\x81\x88"+strings.Repeat("x", 0x88)), 132, 132, false, "139 bytes, DER-encoded; a JWS ES512 signature is raw r||s of 132 bytes (RFC 7518 §3.4)"},
		{"EdDSA", jws(`{"alg":"EdDSA"}`, "{}", strings.Repeat("x", 64)), 64, 64, true, "64 bytes, as EdDSA produces"},
		{"RS256 2048", jws(`{"alg":"RS256"}`, "{}", strings.Repeat("x", 256)), 256, 2048, true, "256 bytes, as RS256 produces with an RSA-2048 key"},
		{"PS512 4096", jws(`{"alg":"PS512"}`, "{}", strings.Repeat("x", 512)), 256, 2048, true, "512 bytes, as PS512 produces with an RSA-4096 key"},
		{"RS256 1024", jws(`{"alg":"RS256"}`, "{}", strings.Repeat("x", 128)), 256, 2048, false, "128 bytes: an RSA key of 1024 bits at most, under the 2048 bits jwtkit requires"},
		{"RS256 huge", jws(`{"alg":"RS256"}`, "{}", strings.Repeat("x", 2049)), 256, 2048, false, "2049 bytes; RS256 produces 256 to 2048 bytes"},
		{"empty", jws(`{"alg":"RS256"}`, "{}", ""), 256, 2048, false, "empty; RS256 produces 256 to 2048 bytes"},
		{"none", jws(`{"alg":"none"}`, "{}", ""), 0, 0, true, "empty, as alg none has"},
		{"none with signature", jws(`{"alg":"none"}`, "{}", "sig"), 0, 0, false, "3 bytes; alg none must have an empty signature"},
		{"unknown alg", jws(`{"alg":"XX1"}`, "{}", "sig"), 0, 0, false, `3 bytes; jwtkit does not know the alg "XX1"`},
		{"jwe", enc(`{"alg":"dir","enc":"A128GCM"}`) + "..YQ.YQ.YQ", 0, 0, false, "encrypted (JWE): there is no signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.token)
			got := p.SignatureInfo()
			if got.Alg != p.Alg() || got.Length != len(p.Signature) || got.Min != tt.min || got.Max != tt.max || got.OK != tt.ok || got.Message != tt.message {
				t.Errorf("got %+v\nwant min %d max %d ok %v message %q", got, tt.min, tt.max, tt.ok, tt.message)
			}
		})
	}
}

func TestSignatureSizeCoversAlgs(t *testing.T) {
	for _, alg := range Algs() {
		if _, _, known := SignatureSize(alg); !known {
			t.Errorf("SignatureSize(%q) unknown", alg)
		}
	}
	if _, _, known := SignatureSize("HS1"); known {
		t.Error("HS1 known")
	}
}
