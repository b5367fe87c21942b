package keys

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

func testResolver(stdin string, stdinTaken bool) Resolver {
	files := map[string][]byte{
		"secret.txt":   []byte("s3cret-from-file\n"),
		"crlf.txt":     []byte("s3cret\r\n"),
		"two.txt":      []byte("s3cret\n\n"),
		"nonl.txt":     []byte("s3cret"),
		"empty.txt":    nil,
		"onlynl.txt":   []byte("\n"),
		"key.pem":      []byte("-----BEGIN PUBLIC KEY-----\n"),
		"huge.bin":     bytes.Repeat([]byte{'a'}, MaxInputSize+1),
		"exactmax.bin": bytes.Repeat([]byte{'a'}, MaxInputSize),
	}
	r := Resolver{
		Getenv: func(name string) string {
			return map[string]string{"JWTKIT_SECRET": "from-env\n", "EMPTY": ""}[name]
		},
		ReadFile: func(path string) ([]byte, error) {
			if data, ok := files[path]; ok {
				return data, nil
			}
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		},
	}
	if !stdinTaken {
		r.Stdin = strings.NewReader(stdin)
	}
	return r
}

func TestResolverSecret(t *testing.T) {
	tests := []struct {
		name       string
		spec       string
		stdin      string
		stdinTaken bool
		want       string
		wantErr    string
	}{
		{name: "literal", spec: "hello", want: "hello"},
		{name: "literal keeps spaces and newline", spec: " a b\n", want: " a b\n"},
		{name: "file trims one newline", spec: "@secret.txt", want: "s3cret-from-file"},
		{name: "file trims one crlf", spec: "@crlf.txt", want: "s3cret"},
		{name: "file trims only one newline", spec: "@two.txt", want: "s3cret\n"},
		{name: "file without newline", spec: "@nonl.txt", want: "s3cret"},
		{name: "file that is only a newline", spec: "@onlynl.txt", wantErr: "the secret is empty"},
		{name: "empty file", spec: "@empty.txt", wantErr: "the secret is empty"},
		{name: "missing file", spec: "@nope.txt", wantErr: "reading nope.txt: file does not exist"},
		{name: "file too large", spec: "@huge.bin", wantErr: "huge.bin is larger than 1048576 bytes"},
		{name: "file at the cap", spec: "@exactmax.bin", want: strings.Repeat("a", MaxInputSize)},
		{name: "at without name", spec: "@", wantErr: `"@" needs a file name`},
		{name: "env keeps value as is", spec: "env:JWTKIT_SECRET", want: "from-env\n"},
		{name: "env unset", spec: "env:NOPE", wantErr: "environment variable NOPE is not set or empty"},
		{name: "env empty", spec: "env:EMPTY", wantErr: "environment variable EMPTY is not set or empty"},
		{name: "env without name", spec: "env:", wantErr: `"env:" needs a variable name`},
		{name: "b64 padded", spec: "b64:aGk/Pz8+", want: "hi???>"},
		{name: "b64 unpadded", spec: "b64:aGk", want: "hi"},
		{name: "b64 padded short", spec: "b64:aGk=", want: "hi"},
		{name: "b64 wrong padding", spec: "b64:aGk==", wantErr: "invalid b64: value: wrong padding"},
		{name: "b64 url alphabet refused", spec: "b64:aGk_Pz8-", wantErr: "invalid b64: value"},
		{name: "b64 newline refused", spec: "b64:aGk\naGk", wantErr: "line breaks"},
		{name: "b64 non-canonical bits refused", spec: "b64:aGl", wantErr: "invalid b64: value"},
		{name: "b64 empty", spec: "b64:", wantErr: "the secret is empty"},
		{name: "b64url", spec: "b64url:aGk_Pz8-", want: "hi???>"},
		{name: "b64url padded", spec: "b64url:aGk=", want: "hi"},
		{name: "b64url std alphabet refused", spec: "b64url:aGk/Pz8+", wantErr: "invalid b64url: value"},
		{name: "hex", spec: "hex:DEADbeef", want: "\xde\xad\xbe\xef"},
		{name: "hex odd", spec: "hex:abc", wantErr: "invalid hex: value"},
		{name: "hex bad digit", spec: "hex:zz", wantErr: "invalid hex: value"},
		{name: "stdin trims one newline", spec: "-", stdin: "piped\n", want: "piped"},
		{name: "stdin taken", spec: "-", stdinTaken: true, wantErr: "stdin is already used by the token, so key material cannot be read from it too; pass it as @file or env:NAME"},
		{name: "stdin empty", spec: "-", stdin: "", wantErr: "the secret is empty"},
		{name: "stdin too large", spec: "-", stdin: strings.Repeat("x", MaxInputSize+1), wantErr: "more than 1048576 bytes"},
		{name: "empty literal", spec: "", wantErr: "the secret is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := testResolver(tt.stdin, tt.stdinTaken).Secret(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Secret(%q) error = %v, want it to contain %q", tt.spec, err, tt.wantErr)
				}
				if failure.KindOf(err) != failure.KindUsage || failure.CodeOf(err) != "key" {
					t.Errorf("error kind/code = %v/%s, want usage/key", failure.KindOf(err), failure.CodeOf(err))
				}
				return
			}
			if err != nil {
				t.Fatalf("Secret(%q): %v", tt.spec, err)
			}
			if string(got) != tt.want {
				t.Errorf("Secret(%q) = %q, want %q", tt.spec, got, tt.want)
			}
		})
	}
}

func TestResolverKeyFile(t *testing.T) {
	tests := []struct {
		name       string
		spec       string
		stdinTaken bool
		want       string
		wantName   string
		wantErr    string
	}{
		{name: "bare value is a path", spec: "key.pem", want: "-----BEGIN PUBLIC KEY-----\n", wantName: "key.pem"},
		{name: "at path", spec: "@key.pem", want: "-----BEGIN PUBLIC KEY-----\n", wantName: "key.pem"},
		{name: "file keeps its newline", spec: "secret.txt", want: "s3cret-from-file\n", wantName: "secret.txt"},
		{name: "env", spec: "env:JWTKIT_SECRET", want: "from-env\n", wantName: "$JWTKIT_SECRET"},
		{name: "b64", spec: "b64:aGk=", want: "hi", wantName: "inline b64"},
		{name: "b64url", spec: "b64url:aGk", want: "hi", wantName: "inline b64url"},
		{name: "hex", spec: "hex:6869", want: "hi", wantName: "inline hex"},
		{name: "stdin keeps newline", spec: "-", want: "piped\n", wantName: "stdin"},
		{name: "stdin taken", spec: "-", stdinTaken: true, wantErr: "stdin is already used by the token"},
		{name: "missing", spec: "nope.pem", wantErr: "reading nope.pem: file does not exist"},
		{name: "empty spec", spec: "", wantErr: "no key file given"},
		{name: "empty file", spec: "empty.txt", wantErr: "empty.txt is empty"},
		{name: "too large", spec: "huge.bin", wantErr: "is larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, name, err := testResolver("piped\n", tt.stdinTaken).KeyFile(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("KeyFile(%q) error = %v, want it to contain %q", tt.spec, err, tt.wantErr)
				}
				if failure.CodeOf(err) != "key" || failure.ExitCode(err) != 2 {
					t.Errorf("error code %s exit %d, want key/2", failure.CodeOf(err), failure.ExitCode(err))
				}
				return
			}
			if err != nil {
				t.Fatalf("KeyFile(%q): %v", tt.spec, err)
			}
			if string(data) != tt.want || name != tt.wantName {
				t.Errorf("KeyFile(%q) = %q, %q; want %q, %q", tt.spec, data, name, tt.want, tt.wantName)
			}
		})
	}
}

// TestResolverNeverShowsSecrets checks that no error echoes what it was given.
func TestResolverNeverShowsSecrets(t *testing.T) {
	const secret = "Sup3rS3cretValue"
	for _, spec := range []string{
		"b64:" + secret + "!", "b64url:" + secret + "!", "hex:" + secret, "@" + secret + ".missing",
	} {
		_, err := testResolver("", true).Secret(spec)
		if err == nil {
			t.Fatalf("Secret(%q) succeeded", spec)
		}
		if strings.Contains(err.Error(), secret) && !strings.HasPrefix(spec, "@") {
			t.Errorf("error for %q shows the value: %v", spec, err)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(small, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, make([]byte, MaxInputSize+10), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(small); err != nil || string(got) != "abc" {
		t.Errorf("ReadFile(small) = %q, %v", got, err)
	}
	if _, err := ReadFile(big); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("ReadFile(big) error = %v, want a size error", err)
	}
	if _, err := ReadFile(dir); err == nil || !strings.Contains(err.Error(), "directory") {
		t.Errorf("ReadFile(dir) error = %v, want a directory error", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing) error = %v, want ErrNotExist", err)
	}
	r := Resolver{ReadFile: ReadFile}
	if _, _, err := r.KeyFile(filepath.Join(dir, "missing")); err == nil || strings.Count(err.Error(), "missing") != 1 {
		t.Errorf("KeyFile(missing) error = %v, want the path named once", err)
	}
}
