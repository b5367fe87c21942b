package token

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean trims what people paste around a token: surrounding whitespace and newlines (and a
// byte order mark), matching surrounding quotes (' or " or `), a "Bearer " prefix (any case,
// any whitespace after it), a whole "Authorization: Bearer …" header line (any case, optional
// spaces around the colon), a curl header argument around it (-H '…', --header "…",
// --header=…, with a trailing line-continuation backslash) and an OAuth token response on one
// line ({"access_token":"…",…}, RFC 6749 §5.1). The steps repeat until nothing changes, so
// wrappings nest in any order ("'Bearer x'", "Authorization: \"Bearer x\"").
//
// Clean removes nothing inside the token: its result is always a substring of s, and
// Clean(Clean(s)) == Clean(s).
func Clean(s string) string {
	tok, _ := CleanForm(s)
	return tok
}

// Forms CleanForm names, when it took a token out of them.
const (
	FormAuthorization = "an Authorization header"
	FormCurlHeader    = "a curl -H argument"
	FormTokenResponse = `the "access_token" of a token response`
)

// CleanForm is Clean, and also names the outermost wrapping it took the token out of, for a
// note on stderr: FormTokenResponse, FormCurlHeader or FormAuthorization, or "" when there was
// none of those (quotes and a bare "Bearer " need no note).
func CleanForm(s string) (tok, form string) {
	for {
		before := len(s)
		s = strings.TrimFunc(s, isPasteSpace)
		if rest, ok := cutCurlHeader(s); ok {
			s = rest
			if form == "" {
				form = FormCurlHeader
			}
		}
		if len(s) >= 2 {
			switch q := s[0]; q {
			case '"', '\'', '`':
				if s[len(s)-1] == q {
					s = s[1 : len(s)-1]
				}
			}
		}
		if rest, ok := cutPrefixFold(s, "authorization"); ok {
			rest = strings.TrimLeft(rest, " \t")
			if strings.HasPrefix(rest, ":") {
				s = rest[1:]
				if form == "" {
					form = FormAuthorization
				}
			}
		}
		s = strings.TrimFunc(s, isPasteSpace)
		if rest, ok := cutPrefixFold(s, "bearer"); ok && startsWithSpace(rest) {
			s = rest
		}
		if at, ok := accessToken(s); ok {
			s = at
			if form == "" {
				form = FormTokenResponse
			}
		}
		if len(s) == before {
			return s, form
		}
	}
}

// cutCurlHeader removes a curl header option before its value: "-H ", "-H'", "--header ",
// "--header=", and a trailing " \" (a continued command line) after it.
func cutCurlHeader(s string) (string, bool) {
	var rest string
	switch {
	case strings.HasPrefix(s, "--header="):
		rest = s[len("--header="):]
	case strings.HasPrefix(s, "--header") && startsWithSpace(s[len("--header"):]):
		rest = s[len("--header"):]
	case strings.HasPrefix(s, "-H") && len(s) > 2 && (startsWithSpace(s[2:]) || strings.ContainsRune("\"'`", rune(s[2]))):
		// -H then a space or a quote: "-HAuth…" could be the start of a token-shaped string.
		rest = s[len("-H"):]
	default:
		return s, false
	}
	rest = strings.TrimFunc(rest, isPasteSpace)
	if t, ok := strings.CutSuffix(rest, "\\"); ok && (t == "" || startsWithSpace(t[len(t)-1:])) {
		rest = strings.TrimFunc(t, isPasteSpace)
	}
	// Only a header value that names a token: anything else is left for the parser to refuse.
	if _, auth := cutPrefixFold(strings.TrimLeft(rest, "\"'`"), "authorization"); !auth {
		return s, false
	}
	return rest, true
}

// accessToken takes the access_token out of a JSON token response, when s is one JSON object
// whose "access_token" is a string written without escapes (so that the token is a substring
// of s, as Clean promises).
func accessToken(s string) (string, bool) {
	if !strings.HasPrefix(s, "{") || !strings.HasSuffix(s, "}") || !strings.Contains(s, `"access_token"`) {
		return s, false
	}
	var resp struct {
		AccessToken *string `json:"access_token"`
	}
	if json.Unmarshal([]byte(s), &resp) != nil || resp.AccessToken == nil || *resp.AccessToken == "" {
		return s, false
	}
	at := *resp.AccessToken
	if !strings.Contains(s, `"`+at+`"`) {
		return s, false
	}
	return at, true
}

// isPasteSpace reports whether r is whitespace or a byte order mark.
func isPasteSpace(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

// startsWithSpace reports whether s begins with whitespace.
func startsWithSpace(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	return size > 0 && isPasteSpace(r)
}

// cutPrefixFold is strings.CutPrefix with ASCII case folding; prefix must be lower-case ASCII.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) {
		return s, false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return s, false
		}
	}
	return s[len(prefix):], true
}
