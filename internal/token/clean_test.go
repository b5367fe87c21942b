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

// TestCleanForm: the pasted forms that hold more than the token (a curl -H argument, a whole
// Authorization header, a token response) give the token and name the form; the others give
// no form.
func TestCleanForm(t *testing.T) {
	tests := []struct {
		name, in, want, form string
	}{
		{"bare", tok, tok, ""},
		{"Bearer only", "Bearer " + tok, tok, ""},
		{"quoted", `"` + tok + `"`, tok, ""},
		{"Authorization header", "Authorization: Bearer " + tok, tok, FormAuthorization},
		{"curl -H double quotes", `-H "Authorization: Bearer ` + tok + `"`, tok, FormCurlHeader},
		{"curl -H single quotes", `-H 'authorization: bearer ` + tok + `'`, tok, FormCurlHeader},
		{"curl -H glued", `-H'Authorization: Bearer ` + tok + `'`, tok, FormCurlHeader},
		{"curl --header", `--header "Authorization: Bearer ` + tok + `"`, tok, FormCurlHeader},
		{"curl --header=", `--header=Authorization:Bearer ` + tok, tok, FormCurlHeader},
		{"curl -H continued line", `  -H "Authorization: Bearer ` + tok + `" \`, tok, FormCurlHeader},
		{"curl -H of another header kept", `-H "Accept: application/json"`, `-H "Accept: application/json"`, ""},
		{"token response", `{"access_token":"` + tok + `","token_type":"Bearer","expires_in":300,"scope":"a b"}`, tok, FormTokenResponse},
		{"token response, spaced, token last", `{ "token_type": "Bearer", "access_token": "` + tok + `" }`, tok, FormTokenResponse},
		{"token response with a Bearer-prefixed token", `{"access_token":"Bearer ` + tok + `"}`, tok, FormTokenResponse},
		{"token response, escaped token kept whole", `{"access_token":"a\/b"}`, `{"access_token":"a\/b"}`, ""},
		{"token response, number kept", `{"access_token":5}`, `{"access_token":5}`, ""},
		{"token response, empty kept", `{"access_token":""}`, `{"access_token":""}`, ""},
		{"other JSON kept", `{"id_token":"` + tok + `"}`, `{"id_token":"` + tok + `"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, form := CleanForm(tt.in)
			if got != tt.want || form != tt.form {
				t.Errorf("CleanForm(%q) = %q, %q; want %q, %q", tt.in, got, form, tt.want, tt.form)
			}
			if Clean(tt.in) != got {
				t.Errorf("Clean differs from CleanForm")
			}
		})
	}
}
