package keys

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// ParseJWKS reads a JWK Set from an UNTRUSTED remote source (a JWKS URL, an issuer), key by key.
// Keys of unknown type or curve, and keys that fail a check (malformed, RSA under 2048 bits,
// weak Ed25519), are skipped and reported in notes: RFC 7517 §5 asks verifiers to ignore keys
// they do not understand, and IdPs already publish post-quantum keys. A set that publishes a
// symmetric (oct) key or any private member (d, p, q, dp, dq, qi, k…) is refused whole: it is
// broken. At most MaxKeys keys are read and RSA moduli may not exceed MaxRSABits. A set with no
// usable key is an error. Errors are failure.Remote with code "jwks"; a caller reading a local
// file re-wraps them as usage errors.
func ParseJWKS(data []byte, source string) (keys []Key, notes []string, err error) {
	if source == "" {
		source = "the JWK Set"
	}
	if len(data) > MaxInputSize {
		return nil, nil, failure.Remotef("jwks", "the JWK Set from %s is larger than %d bytes", source, MaxInputSize)
	}
	keys, notes, err = parseJSONKeys(data, source, true)
	if err != nil {
		return nil, notes, failure.Remote("jwks", err)
	}
	return keys, notes, nil
}

// parseJSONKeys reads a JWK or a JWK Set. remote applies ParseJWKS's rules: a set is required,
// private material is refused, and any bad key is skipped rather than fatal.
func parseJSONKeys(data []byte, src string, remote bool) ([]Key, []string, error) {
	if !utf8.Valid(data) {
		return nil, nil, fmt.Errorf("%s is not valid UTF-8 JSON", src)
	}
	obj, err := readObject(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a valid JWK or JWK Set: %w", src, err)
	}
	raw, isSet := obj["keys"]
	if !isSet {
		if remote {
			return nil, nil, fmt.Errorf(`%s is not a JWK Set: it has no "keys" member`, src)
		}
		k, err := parseJWK(obj, src)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", src, err)
		}
		return []Key{k}, nil, nil
	}
	var entries []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &entries) != nil {
		return nil, nil, fmt.Errorf(`%s: member "keys" must be an array of JWKs`, src)
	}
	if len(entries) > MaxKeys {
		return nil, nil, fmt.Errorf("%s holds %d keys; at most %d are accepted", src, len(entries), MaxKeys)
	}
	var keys []Key
	var notes []string
	for i, entry := range entries {
		label := fmt.Sprintf("key %d", i+1)
		o, err := readObject(entry)
		if err == nil {
			if kid, _, kerr := o.str("kid"); kerr == nil && kid != "" {
				label += " (kid " + quoteKid(kid) + ")"
			}
		}
		if err == nil && remote {
			if m, ok := o.privateMember(); ok {
				return nil, nil, fmt.Errorf("%s publishes private key material (member %q of %s); refusing the whole set", src, m, label)
			}
			if kty, _, _ := o.str("kty"); kty == "oct" {
				return nil, nil, fmt.Errorf("%s publishes a symmetric (oct) key as %s; a JWK Set must hold only public keys; refusing the whole set", src, label)
			}
		}
		var k Key
		if err == nil {
			k, err = parseJWK(o, src)
		}
		if err != nil {
			if remote || isUnsupported(err) {
				notes = append(notes, fmt.Sprintf("%s: skipped %s: %v", src, label, err))
				continue
			}
			return nil, nil, fmt.Errorf("%s, %s: %w", src, label, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		if len(notes) > 0 {
			return nil, notes, fmt.Errorf("no usable key in %s (%d skipped; first: %s)", src, len(notes), strings.TrimPrefix(notes[0], src+": "))
		}
		return nil, nil, fmt.Errorf("no usable key in %s: the set is empty", src)
	}
	return keys, notes, nil
}

// Select picks the key to sign or verify with. With kid != "" it is the key whose kid matches
// (or, among keys without a kid, whose RFC 7638 thumbprint matches); with kid == "" it is the
// only key whose "use" and "key_ops" allow signatures (PurposeConflict). Errors list what is available: `no key with kid "x" in
// keys.json; available: a, b`, or `keys.json holds 3 keys; choose one with --kid (a, b, c)`.
// Errors are failure.Usage with code "key".
func Select(keys []Key, kid string) (Key, error) {
	if len(keys) == 0 {
		return Key{}, failure.Usagef("key", "no keys to choose from")
	}
	src := sourceOf(keys)
	signing := func(ks []Key) []Key {
		var out []Key
		for _, k := range ks {
			if PurposeConflict(k, opFor(k)) == "" {
				out = append(out, k)
			}
		}
		return out
	}
	if kid == "" {
		usable := signing(keys)
		switch len(usable) {
		case 0:
			return Key{}, failure.Usagef("key", "%s holds no signing key: %s", src, passedOver(keys))
		case 1:
			return usable[0], nil
		}
		return Key{}, failure.Usagef("key", "%s holds %d keys; choose one with --kid (%s)", src, len(usable), keyList(usable))
	}
	var match []Key
	for _, k := range keys {
		if k.JWK.KeyID == kid {
			match = append(match, k)
		}
	}
	if len(match) == 0 {
		for _, k := range keys {
			if tp, err := k.Thumbprint(); err == nil && k.JWK.KeyID == "" && tp == kid {
				match = append(match, k)
			}
		}
	}
	usable := signing(match)
	switch {
	case len(match) == 0:
		return Key{}, failure.Usagef("key", "no key with kid %s in %s; available: %s", quoteKid(kid), src, keyList(signing(keys)))
	case len(usable) == 0:
		return Key{}, failure.Usagef("key", "key %s in %s cannot sign or verify: %s", quoteKid(kid), src, PurposeConflict(match[0], opFor(match[0])))
	case len(usable) > 1:
		return Key{}, failure.Usagef("key", "%s holds %d keys with kid %s; give each key its own kid", src, len(usable), quoteKid(kid))
	}
	return usable[0], nil
}

// passedOver explains why keys were left out of signing: the first key's reason, and how many
// more were left out.
func passedOver(keys []Key) string {
	why := "key " + quoteKid(keys[0].JWK.KeyID) + ": " + PurposeConflict(keys[0], opFor(keys[0]))
	if keys[0].JWK.KeyID == "" {
		why = "the first key: " + PurposeConflict(keys[0], opFor(keys[0]))
	}
	if len(keys) > 1 {
		why += fmt.Sprintf(", and %d more keys are not for signatures either", len(keys)-1)
	}
	return why
}

// sourceOf names where keys came from: their common source, or "the keys".
func sourceOf(keys []Key) string {
	src := keys[0].Source
	for _, k := range keys[1:] {
		if k.Source != src {
			return "the keys"
		}
	}
	if src == "" {
		return "the keys"
	}
	return src
}

// keyList names keys for a message by kid, or by thumbprint when they have none; at most ten.
func keyList(keys []Key) string {
	if len(keys) == 0 {
		return "none"
	}
	var names []string
	for i, k := range keys {
		if i == 10 {
			names = append(names, fmt.Sprintf("and %d more", len(keys)-10))
			break
		}
		name := k.JWK.KeyID
		if name == "" {
			tp, err := k.Thumbprint()
			if err != nil {
				tp = "(no kid)"
			}
			name = tp
		}
		names = append(names, listKid(name))
	}
	return strings.Join(names, ", ")
}

// quoteKid quotes an untrusted kid for a message.
func quoteKid(kid string) string { return quoted(kid) }

// listKid shows a kid bare when it is plain printable ASCII, and quoted otherwise.
func listKid(kid string) string {
	if strings.ContainsAny(kid, ", ") {
		return quoteKid(kid)
	}
	return plainName(kid)
}

// plainName shows an untrusted name bare when it is short printable ASCII without quotes,
// and quoted otherwise, so that no terminal control sequence reaches a message.
func plainName(s string) string {
	if s == "" || len(s) > 80 {
		return quoted(s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' {
			return quoted(s)
		}
	}
	return s
}

// MarshalJWKS marshals keys as an indented JWK Set {"keys":[…]}: public halves unless
// includePrivate, in the order given, dropping later keys with the same thumbprint as an
// earlier one. A secret can be written only with includePrivate. Errors are failure.Usage with
// code "key".
func MarshalJWKS(keys []Key, includePrivate bool) ([]byte, error) {
	set := struct {
		Keys []jwkJSON `json:"keys"`
	}{Keys: []jwkJSON{}}
	seen := map[string]bool{}
	for _, k := range keys {
		tp, err := k.Thumbprint()
		if err != nil {
			return nil, failure.Usagef("key", "%s: %w", k.Source, err)
		}
		if seen[tp] {
			continue
		}
		seen[tp] = true
		j, err := exportJWK(k, includePrivate)
		if err != nil {
			return nil, failure.Usagef("key", "%s: %w", k.Source, err)
		}
		set.Keys = append(set.Keys, j)
	}
	out, err := marshalIndented(set)
	if err != nil {
		return nil, failure.Usage("key", err)
	}
	return out, nil
}
