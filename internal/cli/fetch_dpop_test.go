package cli

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/dpop"
)

// TestFetchDPoPRefusals: a server that keeps asking for a new nonce, one that ignores the proof
// and returns a Bearer token, and keys that cannot sign proofs each end in one clear line.
func TestFetchDPoPRefusals(t *testing.T) {
	keyFile, _ := writeClientKey(t, "EC", 0, "P-256")
	var proofs []string
	n := 0
	loop := func(w http.ResponseWriter, r *http.Request) {
		proofs = append(proofs, r.Header.Get("DPoP"))
		n++
		w.Header().Set("DPoP-Nonce", "nonce-"+strings.Repeat("x", n))
		fetchJSONReply(400, `{"error":"use_dpop_nonce","error_description":"again"}`)(w, r)
	}
	cases := []struct {
		name  string
		reply func(http.ResponseWriter, *http.Request)
		args  []string
		code  int
		want  string
	}{
		{"nonce loop", loop, []string{"--dpop-key", keyFile}, 3, "keeps asking for a new DPoP nonce"},
		{"bearer answer", fetchOKReply(60), []string{"--dpop-key", keyFile}, 3, "where a DPoP-bound token was asked for"},
		{"HMAC key", fetchOKReply(60), []string{"--dpop-key", "b64:" + strings.Repeat("QUJD", 12)}, 2, ""},
		{"public key", fetchOKReply(60), []string{"--dpop-key", fetchTempFile(t, "pub.jwk", `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`)}, 2, "needs the private key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newFetchServer(t, c.reply)
			h := fetchHarness(t)
			code := h.fetch(t, srv, append(c.args, "--no-cache")...)
			stderr := h.stderr.String()
			if code != c.code || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
				t.Fatalf("exit %d, want %d with %q:\n%s", code, c.code, c.want, stderr)
			}
		})
	}
	// The loop: the first proof has no nonce, the second the server's, and then jwtkit stops.
	if len(proofs) != 2 {
		t.Fatalf("%d token requests in the nonce loop, want 2", len(proofs))
	}
	for i, want := range []any{nil, "nonce-x"} {
		h, c, err := dpop.Decode(proofs[i])
		if err != nil || h.Typ != "dpop+jwt" || c["htm"] != "POST" || !strings.HasSuffix(c["htu"].(string), "/token") || c["nonce"] != want {
			t.Errorf("proof %d: %v %+v %v", i, err, h, c)
		}
	}
}
