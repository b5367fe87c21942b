package token

import "fmt"

// RSA signature lengths: a signature is as long as the key's modulus, and jwtkit accepts
// moduli from 2048 to 16384 bits.
const (
	minRSASignature = 2048 / 8
	maxRSASignature = 16384 / 8
)

// SignatureInfo compares the length of a token's signature with what its alg produces. It says
// nothing about whether the signature is valid.
type SignatureInfo struct {
	// Alg is the header's alg.
	Alg string `json:"alg"`
	// Length is the decoded signature's length in bytes.
	Length int `json:"length"`
	// Min and Max bound the lengths Alg produces; they differ only for RS* and PS*, whose
	// signatures are as long as the key's modulus. Both are 0 for an unknown alg or a JWE.
	Min int `json:"min"`
	Max int `json:"max"`
	// OK reports that Length is one that Alg produces.
	OK bool `json:"ok"`
	// Message says so in words: "64 bytes, raw r||s as ES256 produces".
	Message string `json:"message"`
}

// SignatureSize returns the signature lengths in bytes that alg produces; known is false for
// an alg jwtkit does not sign or verify.
func SignatureSize(alg string) (min, max int, known bool) {
	switch alg {
	case "none":
		return 0, 0, true
	case "HS256":
		return 32, 32, true
	case "HS384":
		return 48, 48, true
	case "HS512", "EdDSA":
		return 64, 64, true
	case "ES256":
		return 64, 64, true
	case "ES384":
		return 96, 96, true
	case "ES512":
		return 132, 132, true
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return minRSASignature, maxRSASignature, true
	}
	return 0, 0, false
}

// SignatureInfo compares the length of p's signature with what its alg produces.
func (p *Parsed) SignatureInfo() SignatureInfo {
	alg := p.Alg()
	n := len(p.Signature)
	info := SignatureInfo{Alg: alg, Length: n}
	if p.Encrypted {
		info.Message = "encrypted (JWE): there is no signature"
		return info
	}
	lo, hi, known := SignatureSize(alg)
	if !known {
		info.Message = fmt.Sprintf("%d bytes; jwtkit does not know the alg %s", n, quoteName(alg))
		return info
	}
	info.Min, info.Max = lo, hi
	info.OK = lo <= n && n <= hi
	rsa := lo != hi
	switch {
	case alg == "none" && info.OK:
		info.Message = "empty, as alg none has"
	case alg == "none":
		info.Message = fmt.Sprintf("%d bytes; alg none must have an empty signature", n)
	case n == 0:
		info.Message = fmt.Sprintf("empty; %s produces %s", alg, sizeRange(lo, hi))
	case rsa && info.OK:
		info.Message = fmt.Sprintf("%d bytes, as %s produces with an RSA-%d key", n, alg, n*8)
	case rsa && n < lo:
		info.Message = fmt.Sprintf("%d bytes: an RSA key of %d bits at most, under the 2048 bits jwtkit requires", n, n*8)
	case rsa:
		info.Message = fmt.Sprintf("%d bytes; %s produces %s", n, alg, sizeRange(lo, hi))
	case info.OK && alg[:2] == "ES":
		info.Message = fmt.Sprintf("%d bytes, raw r||s as %s produces", n, alg)
	case info.OK:
		info.Message = fmt.Sprintf("%d bytes, as %s produces", n, alg)
	case alg[:2] == "ES" && looksDER(p.Signature):
		info.Message = fmt.Sprintf("%d bytes, DER-encoded; a JWS %s signature is raw r||s of %d bytes (RFC 7518 §3.4)", n, alg, lo)
	default:
		info.Message = fmt.Sprintf("%d bytes; %s produces %s (truncated or altered?)", n, alg, sizeRange(lo, hi))
	}
	return info
}

func sizeRange(lo, hi int) string {
	if lo == hi {
		return fmt.Sprintf("%d bytes", lo)
	}
	return fmt.Sprintf("%d to %d bytes", lo, hi)
}

// looksDER reports whether sig has the outer shape of a DER ECDSA signature: a SEQUENCE whose
// length byte covers the rest.
func looksDER(sig []byte) bool {
	if len(sig) < 8 || sig[0] != 0x30 {
		return false
	}
	if sig[1] < 0x80 {
		return int(sig[1]) == len(sig)-2
	}
	return sig[1] == 0x81 && len(sig) > 3 && int(sig[2]) == len(sig)-3
}
