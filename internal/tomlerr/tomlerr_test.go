package tomlerr

import (
	"testing"

	toml "github.com/pelletier/go-toml/v2"
)

func TestDescribe(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
		key        string
	}{
		{"bare value", "[t]\nsecret = Sup3r\n", 2, "secret"},
		{"quoted key", "[t]\n\"secret\" = Sup3r\n", 2, "secret"},
		{"dotted key", "a.b.secret = 1.5eSup3r\n", 1, "secret"},
		{"unclosed multi-line string", "[t]\nsecret = \"\"\"\nSup3r\n", 3, "secret"},
		{"table header", "[t\nx = 1\n", 1, ""},
		{"after a comment", "[t]\n# a = b\nx == 1\n", 3, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			err := toml.Unmarshal([]byte(tt.data), &doc)
			d, ok := Describe([]byte(tt.data), err)
			if !ok || d.Line != tt.line || d.Key != tt.key || d.Message == "" {
				t.Errorf("Describe = %+v, %v; want line %d key %q", d, ok, tt.line, tt.key)
			}
		})
	}
	if _, ok := Describe(nil, nil); ok {
		t.Error("a nil error described")
	}
}
