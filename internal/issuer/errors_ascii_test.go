package issuer

import "testing"

func TestPrintableASCIIKeepsSectionReferences(t *testing.T) {
	for in, want := range map[string]string{
		"the proof's htu differs (RFC 9449 §4.3)": "the proof's htu differs (RFC 9449 section 4.3)",
		`say "hi"\`:   `say 'hi''`,
		"tab\there é": "tab?here ??",
	} {
		if got := printableASCII(in, 200); got != want {
			t.Errorf("printableASCII(%q) = %q, want %q", in, got, want)
		}
	}
}
