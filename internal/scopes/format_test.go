package scopes

import (
	"reflect"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr string
	}{
		{"space", Space, ""},
		{"array", Array, ""},
		{"structured", Structured, ""},
		{" Structured ", Structured, ""},
		{"ARRAY", Array, ""},
		{"", "", `unknown scope format "": use space, array, structured`},
		{"json", "", `unknown scope format "json": use space, array, structured`},
		{"spaces", "", "unknown scope format"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFormat(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseFormat(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				if failure.ExitCode(err) != 2 {
					t.Errorf("exit code = %d, want 2", failure.ExitCode(err))
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseFormat(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormatsAndClaims(t *testing.T) {
	if got, want := Formats(), []string{"space", "array", "structured"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Formats() = %v, want %v", got, want)
	}
	for f, want := range map[Format]string{Space: "scope", Array: "scopes", Structured: "scopes"} {
		if got := DefaultClaim(f); got != want {
			t.Errorf("DefaultClaim(%s) = %q, want %q", f, got, want)
		}
	}
	for _, name := range Formats() {
		f, err := ParseFormat(name)
		if err != nil || f.String() != name {
			t.Errorf("ParseFormat(%q) = %q, %v", name, f, err)
		}
	}
}

func TestParseFormatSuggests(t *testing.T) {
	for typed, want := range map[string]string{"arr": "array", "spce": "space", "structred": "structured"} {
		_, err := ParseFormat(typed)
		if err == nil || !strings.HasSuffix(err.Error(), "; did you mean "+want+"?") {
			t.Errorf("ParseFormat(%q) = %v, want a did-you-mean %s", typed, err, want)
		}
	}
}
