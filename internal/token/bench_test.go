package token

import (
	"crypto/rand"
	"strings"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	k := keysOnce()
	typical, err := Sign("RS256", k.rsa, header("RS256"), []byte(`{"iss":"https://issuer.example","sub":"user-1","aud":["api"],"exp":1900000000,"iat":1800000000,"scope":"read:users write:posts","scopes":{"users":{"actions":["read","create"]}}}`), nil)
	if err != nil {
		b.Fatal(err)
	}
	var claims strings.Builder
	claims.WriteString(`{"exp":1900000000`)
	for i := 0; claims.Len() < 150<<10; i++ {
		claims.WriteString(`,"claim` + strings.Repeat("x", i%13) + string(rune('a'+i%26)) + itoa(i) + `":"value"`)
	}
	claims.WriteString("}")
	large, err := Sign("HS256", k.secret256, header("HS256"), []byte(claims.String()), nil)
	if err != nil {
		b.Fatal(err)
	}
	for name, s := range map[string]string{"typical": typical, "200KiB": large} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(s, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSign(b *testing.B) {
	payload := []byte(`{"sub":"user-1","scope":"read:users","exp":1900000000,"iat":1800000000}`)
	for _, tc := range signCases() {
		b.Run(tc.alg, func(b *testing.B) {
			h := header(tc.alg)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Sign(tc.alg, tc.key, h, payload, rand.Reader); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func itoa(i int) string {
	var buf [20]byte
	n := len(buf)
	for {
		n--
		buf[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(buf[n:])
		}
	}
}
