package diskcache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// An entry file is a three-line header followed by the key and the value:
//
//	jwtkit-cache 1
//	<expiry, Unix milliseconds>
//	<key length> <value length> <hex SHA-256 of key and value>
//	<key><value>
//
// Every number is in canonical decimal form and the lengths must account for the rest of the
// file exactly, so a truncated or altered file is detected rather than half-read.
const magic = "jwtkit-cache 1"

// maxKeySize bounds the key stored in an entry.
const maxKeySize = 64 << 10

type entry struct {
	key     string
	expires time.Time
	data    []byte
}

func encode(e entry) []byte {
	sum := checksum([]byte(e.key), e.data)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%d\n%d %d %s\n", magic, e.expires.UnixMilli(), len(e.key), len(e.data), sum)
	b.WriteString(e.key)
	b.Write(e.data)
	return b.Bytes()
}

func checksum(key, data []byte) string {
	h := sha256.New()
	h.Write(key)
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

var errCorrupt = errors.New("corrupt or truncated")

// decode parses an entry file; any deviation from the format is errCorrupt.
func decode(raw []byte) (entry, error) {
	lines := bytes.SplitN(raw, []byte("\n"), 4)
	if len(lines) != 4 || string(lines[0]) != magic {
		return entry{}, errCorrupt
	}
	ms, ok := canonicalInt(string(lines[1]), true)
	if !ok {
		return entry{}, errCorrupt
	}
	fields := bytes.Split(lines[2], []byte(" "))
	if len(fields) != 3 {
		return entry{}, errCorrupt
	}
	keyLen, ok1 := canonicalInt(string(fields[0]), false)
	dataLen, ok2 := canonicalInt(string(fields[1]), false)
	rest := lines[3]
	if !ok1 || !ok2 || keyLen > maxKeySize || dataLen > MaxEntrySize || int64(len(rest)) != keyLen+dataLen {
		return entry{}, errCorrupt
	}
	key, data := rest[:keyLen], rest[keyLen:]
	if string(fields[2]) != checksum(key, data) {
		return entry{}, errCorrupt
	}
	return entry{key: string(key), expires: time.UnixMilli(ms), data: bytes.Clone(data)}, nil
}

// canonicalInt parses s as a decimal integer written the way strconv writes it: no sign unless
// negative is allowed and the value is negative, no leading zeros, no spaces.
func canonicalInt(s string, negative bool) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || strconv.FormatInt(n, 10) != s || (n < 0 && !negative) {
		return 0, false
	}
	return n, true
}
