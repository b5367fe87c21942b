package verify_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
	"syscall"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/keys"
	"github.com/jwtkit/jwtkit/internal/token"
	"github.com/jwtkit/jwtkit/internal/verify"
)

// The floor benchmarks measure stream verification against what it cannot beat, on every core
// (b.RunParallel), each reporting tokens/s:
//
//   - BenchmarkFloorPrimitive: the bare signature check of the same token, from the token
//     string: for HS256 split, base64, HMAC and compare; for the others the hash of the
//     signing input and crypto/ecdsa, crypto/ed25519 or crypto/rsa verify;
//   - BenchmarkFloorGoJose: go-jose's ParseSignedCompact and Verify, the path to beat;
//   - BenchmarkFloorPath: what verify does per token, verify.Parse and Verifier.Verify with a
//     typical policy (issuer, audience, a scope), with the fast path;
//   - BenchmarkFloorPathReference: the same through token.Parse and the Reference checker
//     (go-jose), the path before the fast one.
//
// Compare them with benchstat, or read the ratio of Path to Primitive straight from tokens/s.

// floorAlgs are the algorithms of the stream targets (issue 9).
var floorAlgs = []string{"HS256", "ES256", "EdDSA", "RS256", "PS256"}

// floorNow is inside every fixture token's validity.
var floorNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// floorFixture is one algorithm's key and token.
type floorFixture struct {
	alg   string
	key   keys.Key // private key or secret
	token string
}

// floorFixtureFor makes alg's key and token; each sub-benchmark makes its own, so that -bench
// patterns that pick a few algorithms do not pay for RSA key generation.
func floorFixtureFor(b *testing.B, alg string) floorFixture {
	b.Helper()
	kind, size, curve, err := keys.KeyForAlg(alg)
	if err != nil {
		b.Fatal(err)
	}
	k, err := keys.Generate(nil, kind, size, curve, alg)
	if err != nil {
		b.Fatal(err)
	}
	k.JWK.KeyID = "bench"
	header := `{"alg":"` + alg + `","typ":"JWT","kid":"bench"}`
	payload := `{"iss":"https://issuer.bench.test","aud":"api","sub":"bench","scope":"read:users write:users","iat":1764064800,"exp":4102444800}`
	tok, err := token.Sign(alg, k.JWK.Key, []byte(header), []byte(payload), nil)
	if err != nil {
		b.Fatal(err)
	}
	return floorFixture{alg: alg, key: k, token: tok}
}

// floorPrimitive returns the bare signature check of f's token.
func floorPrimitive(b *testing.B, f floorFixture) func() bool {
	b.Helper()
	dot := strings.LastIndexByte(f.token, '.')
	input := []byte(f.token[:dot])
	sig, err := base64.RawURLEncoding.DecodeString(f.token[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	switch key := f.key.Public().JWK.Key.(type) {
	case []byte:
		tok := f.token
		return func() bool {
			dot := strings.LastIndexByte(tok, '.')
			var got [32]byte
			n, err := base64.RawURLEncoding.Decode(got[:], []byte(tok[dot+1:]))
			if err != nil || n != len(got) {
				return false
			}
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(tok[:dot]))
			return hmac.Equal(mac.Sum(nil), got[:])
		}
	case *ecdsa.PublicKey:
		return func() bool {
			digest := sha256.Sum256(input)
			r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			return ecdsa.Verify(key, digest[:], r, s)
		}
	case ed25519.PublicKey:
		return func() bool { return ed25519.Verify(key, input, sig) }
	case *rsa.PublicKey:
		if f.alg == "PS256" {
			opts := &rsa.PSSOptions{SaltLength: sha256.Size, Hash: crypto.SHA256}
			return func() bool {
				digest := sha256.Sum256(input)
				return rsa.VerifyPSS(key, crypto.SHA256, digest[:], sig, opts) == nil
			}
		}
		return func() bool {
			digest := sha256.Sum256(input)
			return rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig) == nil
		}
	}
	b.Fatalf("%s: unexpected key type %T", f.alg, f.key.JWK.Key)
	return nil
}

// floorRun runs check on every core and reports tokens per second of wall time, and tokens
// per second of the process's CPU time, which a loaded machine changes far less.
func floorRun(b *testing.B, check func() bool) {
	b.Helper()
	if !check() {
		b.Fatal("the fixture token does not verify")
	}
	b.ReportAllocs()
	cpu0 := processCPU(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !check() {
				b.Error("a verification failed")
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
	if cpu := processCPU(b) - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "tokens/cpu-s")
	}
}

// processCPU is the user and system time the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkFloorPrimitive(b *testing.B) {
	for _, alg := range floorAlgs {
		b.Run(alg, func(b *testing.B) { floorRun(b, floorPrimitive(b, floorFixtureFor(b, alg))) })
	}
}

func BenchmarkFloorGoJose(b *testing.B) {
	for _, alg := range floorAlgs {
		b.Run(alg, func(b *testing.B) {
			f := floorFixtureFor(b, alg)
			pub := f.key.Public().JWK.Key
			algs := []jose.SignatureAlgorithm{jose.SignatureAlgorithm(f.alg)}
			floorRun(b, func() bool {
				jws, err := jose.ParseSignedCompact(f.token, algs)
				if err != nil {
					return false
				}
				_, err = jws.Verify(pub)
				return err == nil
			})
		})
	}
}

func BenchmarkFloorPath(b *testing.B) {
	floorPath(b, verify.Parse, verify.Options{})
}

func BenchmarkFloorPathReference(b *testing.B) {
	floorPath(b, token.Parse, verify.Options{Signature: verify.Reference{}})
}

func floorPath(b *testing.B, parse func(string, int) (*token.Parsed, error), opts verify.Options) {
	for _, alg := range floorAlgs {
		b.Run(alg, func(b *testing.B) {
			f := floorFixtureFor(b, alg)
			policy := verify.Policy{Issuer: "https://issuer.bench.test", Audience: []string{"api"}, RequireScopes: []string{"read:users"}}
			v, err := verify.New([]keys.Key{f.key.Public()}, policy, opts)
			if err != nil {
				b.Fatal(err)
			}
			floorRun(b, func() bool {
				p, err := parse(f.token, token.MaxSize)
				if err != nil {
					return false
				}
				res := v.Verify(p, floorNow)
				if !res.Valid {
					b.Log(res.Err())
				}
				return res.Valid
			})
		})
	}
}
