package token

import "testing"

const tok = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bare", tok, tok},
		{"empty", "", ""},
		{"only spaces", " \t\r\n ", ""},
		{"surrounding whitespace", "  \t" + tok + " \n", tok},
		{"crlf", tok + "\r\n", tok},
		{"byte order mark", "\uFEFF" + tok + "\n", tok},
		{"non-breaking space", "\u00a0" + tok + "\u00a0", tok},
		{"double quotes", `"` + tok + `"`, tok},
		{"single quotes", "'" + tok + "'", tok},
		{"backticks", "`" + tok + "`", tok},
		{"quotes and whitespace", " \"" + tok + "\"\n", tok},
		{"whitespace inside quotes", "\" " + tok + " \"", tok},
		{"mismatched quotes kept", `"` + tok + `'`, `"` + tok + `'`},
		{"one quote kept", `"` + tok, `"` + tok},
		{"lone quote", `"`, `"`},
		{"empty quotes", `""`, ""},
		{"Bearer", "Bearer " + tok, tok},
		{"bearer lower", "bearer " + tok, tok},
		{"BEARER upper", "BEARER " + tok, tok},
		{"Bearer tab", "Bearer\t" + tok, tok},
		{"Bearer many spaces", "Bearer    " + tok, tok},
		{"Bearer non-breaking space", "Bearer\u00a0" + tok, tok},
		{"Bearer without space kept", "Bearer" + tok, "Bearer" + tok},
		{"Bearer alone kept", "Bearer", "Bearer"},
		{"Bearer and spaces", "Bearer   ", "Bearer"},
		{"quoted Bearer", `"Bearer ` + tok + `"`, tok},
		{"Bearer then quoted", `Bearer "` + tok + `"`, tok},
		{"header line", "Authorization: Bearer " + tok, tok},
		{"header lower no spaces", "authorization:bearer " + tok, tok},
		{"header upper spaces", "AUTHORIZATION  :  BEARER  " + tok + "  \r\n", tok},
		{"header quoted", "'Authorization: Bearer " + tok + "'", tok},
		{"header with quoted value", "Authorization: \"Bearer " + tok + "\"", tok},
		{"header without Bearer", "Authorization: " + tok, tok},
		{"header name without colon kept", "Authorization " + tok, "Authorization " + tok},
		{"Basic scheme kept", "Authorization: Basic dXNlcjpwYXNz", "Basic dXNlcjpwYXNz"},
		{"inside untouched", "a b\nc", "a b\nc"},
		{"Bearer inside untouched", tok + " Bearer x", tok + " Bearer x"},
		{"token named Bearer", "Bearer Bearer", "Bearer"},
		{"nested quotes", `'"` + tok + `"'`, tok},
		{"non-ASCII prefix not folded", "Authorızation: " + tok, "Authorızation: " + tok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clean(tt.in)
			if got != tt.want {
				t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Clean(got); again != got {
				t.Errorf("Clean is not idempotent: Clean(%q) = %q", got, again)
			}
		})
	}
}
