package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// FuzzParse feeds arbitrary files to Parse: it must never panic, every error must be a one-line
// usage error with code Code, and a parsed file must keep the promises File documents.
func FuzzParse(f *testing.F) {
	f.Add([]byte(fullFile))
	f.Add([]byte("default-profile = \"a\"\n[profile.a]\nscope = \"x y\"\n"))
	f.Add([]byte("[profile.a]\nparam = { k = [\"v\", \"w\"] }\nretries = 3\ntimeout = \"1m\"\n"))
	f.Add([]byte("[profile.a]\nclient-secret = \"@~/s\"\nassertion-key = \"b64:AA\"\n"))
	f.Add([]byte("[[profile]]\na = 1\n"))
	f.Add([]byte("a = [[[[[[[[1]]]]]]]]\n"))
	f.Add([]byte("[profile.a.b.c]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "c.toml", "/cfg", Options{Home: "/home/u"})
		if err != nil {
			if failure.KindOf(err) != failure.KindUsage || failure.CodeOf(err) != Code {
				t.Fatalf("error %q has kind %v code %q", err, failure.KindOf(err), failure.CodeOf(err))
			}
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		names := file.Names()
		if len(names) > MaxProfiles {
			t.Fatalf("%d profiles", len(names))
		}
		broken := make([]string, len(file.Broken))
		for i, b := range file.Broken {
			broken[i] = b.Name
			if failure.KindOf(b.Err) != failure.KindUsage || strings.ContainsAny(b.Err.Error(), "\n\r") {
				t.Fatalf("broken profile %q: error %q", b.Name, b.Err)
			}
		}
		// The default names a profile of the file, possibly a broken one (File.DefaultProfile).
		if file.DefaultProfile != "" && !slices.Contains(names, file.DefaultProfile) && !slices.Contains(broken, file.DefaultProfile) {
			t.Fatalf("default profile %q is neither a profile nor a broken one", file.DefaultProfile)
		}
		seen := map[string]bool{}
		for _, p := range file.Profiles {
			if !validName(p.Name) || seen[p.Name] {
				t.Fatalf("profile name %q", p.Name)
			}
			seen[p.Name] = true
			if got, err := file.Profile(p.Name); err != nil || got != p {
				t.Fatalf("Profile(%q) = %v, %v", p.Name, got, err)
			}
			if p.Retries != nil && (*p.Retries < 0 || *p.Retries > MaxRetries) {
				t.Fatalf("retries %d", *p.Retries)
			}
			if p.Timeout < 0 {
				t.Fatalf("timeout %v", p.Timeout)
			}
			if len(p.Scopes) > maxListLen || len(p.Resources) > maxListLen || len(p.Params) > maxListLen {
				t.Fatalf("lists over the limit: %+v", p)
			}
			for _, key := range p.LiteralSecrets {
				if !isSecretKey(key) {
					t.Fatalf("literal secret key %q", key)
				}
			}
		}
	})
}
