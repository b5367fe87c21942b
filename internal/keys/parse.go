package keys

import (
	"bytes"
	"encoding/pem"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// ParseOptions says where key material came from and how to open it.
type ParseOptions struct {
	// Source names the input in keys and messages ("key.pem", "$JWTKIT_KEY"); never content.
	Source string
	// Passphrase opens legacy encrypted PEM ("Proc-Type: 4,ENCRYPTED"). Encrypted PKCS#8
	// ("ENCRYPTED PRIVATE KEY") is refused with advice on decrypting it.
	Passphrase []byte
}

// Parse reads every key in data, sniffing the format from the content:
//
//   - PEM, one or more blocks: PKCS#1 "RSA PRIVATE KEY" and "RSA PUBLIC KEY", PKCS#8
//     "PRIVATE KEY", SEC 1 "EC PRIVATE KEY" ("EC PARAMETERS" blocks are skipped), PKIX
//     "PUBLIC KEY", and "CERTIFICATE" (its public key). A private key and the certificate of its
//     public key in one file yield one key: duplicates are dropped, keeping the private one;
//   - one DER structure of any of those kinds;
//   - a single JWK object, or a JWK Set {"keys":[…]} whose keys of unknown type or curve are
//     skipped (ParseNotes says which).
//
// Keys from a JWK keep kid, alg, use and key_ops; certificate members (x5c, x5t, x5u) are
// ignored. Every key passes the package's checks (RSA 2048–16384 bits, EC on P-256/384/521,
// a sound Ed25519 point). Errors are failure.Usage with code "key".
func Parse(data []byte, opts ParseOptions) ([]Key, error) {
	keys, _, err := ParseNotes(data, opts)
	return keys, err
}

// ParseNotes is Parse that also returns one note per key of a JWK Set that was skipped because
// its type or curve is unsupported, for the caller to show as warnings.
func ParseNotes(data []byte, opts ParseOptions) ([]Key, []string, error) {
	src := opts.Source
	if src == "" {
		src = "the key material"
	}
	keys, notes, err := parseAny(data, src, opts.Passphrase)
	if err != nil {
		return nil, nil, failure.Usage("key", err)
	}
	return keys, notes, nil
}

func parseAny(data []byte, src string, passphrase []byte) ([]Key, []string, error) {
	if len(data) > MaxInputSize {
		return nil, nil, fmt.Errorf("%s is larger than %d bytes; it is not a key file", src, MaxInputSize)
	}
	// A UTF-8 byte order mark (Windows editors) would hide the first PEM line from pem.Decode.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := bytes.TrimSpace(data)
	switch {
	case len(text) == 0:
		return nil, nil, fmt.Errorf("%s is empty; expected a PEM key, a JWK or a JWK Set", src)
	case text[0] == '{':
		return parseJSONKeys(text, src, false)
	case bytes.Contains(data, []byte("-----BEGIN")):
		keys, err := parsePEM(data, src, passphrase)
		return keys, nil, err
	case isOpenSSHPublicKey(text):
		return nil, nil, fmt.Errorf("%s is an OpenSSH public key, which is not supported; convert it with: ssh-keygen -e -m PKCS8 -f KEY.pub", src)
	case data[0] == 0x30: // an ASN.1 SEQUENCE: DER
		key, err := parseDER(data)
		if err == nil {
			err = checkKey(key)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", src, err)
		}
		return []Key{{JWK: jose.JSONWebKey{Key: key}, Source: src}}, nil, nil
	}
	return nil, nil, fmt.Errorf("%s is not a PEM key, a DER key, a JWK or a JWK Set", src)
}

func isOpenSSHPublicKey(text []byte) bool {
	for _, prefix := range [...]string{"ssh-rsa ", "ssh-ed25519 ", "ssh-dss ", "ecdsa-sha2-", "sk-"} {
		if bytes.HasPrefix(text, []byte(prefix)) {
			return true
		}
	}
	return false
}

// parsePEM reads every PEM block in data.
func parsePEM(data []byte, src string, passphrase []byte) ([]Key, error) {
	var keys uniqueKeys
	rest := data
	for n := 1; ; n++ {
		block, r := pem.Decode(rest)
		if block == nil {
			break
		}
		rest = r
		where := src
		if n > 1 || bytes.Contains(rest, []byte("-----BEGIN")) {
			where = fmt.Sprintf("%s, PEM block %d (%s)", src, n, plainName(block.Type))
		}
		key, skip, err := pemBlockKey(block, passphrase)
		if skip {
			continue
		}
		if err == nil {
			err = checkKey(key)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if err := keys.add(Key{JWK: jose.JSONWebKey{Key: key}, Source: src}); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if len(keys.keys) > MaxKeys {
			return nil, fmt.Errorf("%s holds more than %d keys", src, MaxKeys)
		}
	}
	if bytes.Contains(rest, []byte("-----BEGIN")) {
		return nil, fmt.Errorf("%s holds a malformed PEM block; check its BEGIN and END lines", src)
	}
	if len(keys.keys) == 0 {
		return nil, fmt.Errorf("%s holds no key", src)
	}
	return keys.keys, nil
}

// uniqueKeys collects keys without duplicates: a key whose thumbprint is already there is
// dropped, except that a private key replaces its public half.
type uniqueKeys struct {
	keys  []Key
	index map[string]int // thumbprint → position in keys
}

func (u *uniqueKeys) add(k Key) error {
	tp, err := k.Thumbprint()
	if err != nil {
		return err
	}
	if u.index == nil {
		u.index = map[string]int{}
	}
	if i, ok := u.index[tp]; ok {
		if k.IsPrivate() && !u.keys[i].IsPrivate() {
			u.keys[i] = k
		}
		return nil
	}
	u.index[tp] = len(u.keys)
	u.keys = append(u.keys, k)
	return nil
}
