package keys

import (
	"bytes"
	"crypto/ecdh"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"unicode/utf8"

	"github.com/jwtkit/jwtkit/internal/failure"
)

// ErrEncrypted is matched (errors.Is) by the error of an encrypted key read without a
// passphrase, so that a caller can say which passphrase is missing.
var ErrEncrypted error = failure.Sentinel("the key is encrypted")

// pemBlockKey turns one PEM block into a key. skip is true for blocks that carry no key
// ("EC PARAMETERS").
func pemBlockKey(block *pem.Block, passphrase []byte) (key any, skip bool, err error) {
	der := block.Bytes
	// Legacy "Proc-Type: 4,ENCRYPTED" PEM is deprecated as insecure but still met in the wild;
	// reading it beats telling users to decrypt by hand.
	if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck // deprecated on purpose, see above
		if len(passphrase) == 0 {
			return nil, false, fmt.Errorf("%w; supply its passphrase, or decrypt it with: openssl pkey -in KEY -out plain.pem", ErrEncrypted)
		}
		der, err = x509.DecryptPEMBlock(block, passphrase) //nolint:staticcheck // see above
		if err != nil {
			return nil, false, errors.New("cannot decrypt the key: wrong passphrase or damaged file")
		}
	}
	switch block.Type {
	case "PRIVATE KEY":
		key, err = parsePKCS8(der)
	case "RSA PRIVATE KEY":
		key, err = parsePKCS1Private(der)
	case "EC PRIVATE KEY":
		key, err = parseSEC1(der)
	case "PUBLIC KEY":
		key, err = parsePKIX(der)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(der)
		if err != nil {
			err = errors.New("invalid PKCS#1 RSA public key")
		}
	case "CERTIFICATE":
		key, err = parseCertificate(der)
	case "EC PARAMETERS":
		return nil, true, nil
	case "ENCRYPTED PRIVATE KEY":
		err = errors.New("encrypted PKCS#8 keys are not supported yet; decrypt with: openssl pkcs8 -in KEY -out plain.pem")
	case "OPENSSH PRIVATE KEY":
		err = unsupported("OpenSSH private keys are not supported; convert a copy with: ssh-keygen -p -m PKCS8 -f KEY")
	case "DSA PRIVATE KEY", "DSA PUBLIC KEY":
		err = unsupported("DSA keys are not supported by JWS")
	default:
		err = fmt.Errorf("unexpected PEM block %s; expected a private key, a public key or a certificate", quoted(block.Type))
	}
	if errors.Is(err, errNotThisFormat) {
		if x509.IsEncryptedPEMBlock(block) { //nolint:staticcheck // see above
			return nil, false, errors.New("cannot decrypt the key: wrong passphrase or damaged file")
		}
		return nil, false, fmt.Errorf("the %q PEM block does not hold a valid %s", block.Type, block.Type)
	}
	return key, false, err
}

// parseDER tries the DER forms a key file may hold, most specific first.
func parseDER(der []byte) (any, error) {
	var errs []error
	for _, parse := range []func([]byte) (any, error){
		parsePKCS8, parsePKCS1Private, parseSEC1, parsePKIX, parseCertificate,
	} {
		key, err := parse(der)
		if err == nil {
			return key, nil
		}
		// A recognised structure with a problem (a small RSA key, an unsupported curve) says more
		// than "not a key"; keep the first such error.
		if !errors.Is(err, errNotThisFormat) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return nil, errNotThisFormat
}

// errNotThisFormat means the bytes are not the ASN.1 structure a parser looks for.
var errNotThisFormat = errors.New("not a PEM key, DER key, JWK or JWK Set")

// Object identifiers of public-key algorithms and curves, for messages about keys we refuse.
var (
	oidRSA       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidEC        = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidDSA       = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
	oidX25519    = asn1.ObjectIdentifier{1, 3, 101, 110}
	oidX448      = asn1.ObjectIdentifier{1, 3, 101, 111}
	oidEd448     = asn1.ObjectIdentifier{1, 3, 101, 113}
	oidSecp256k1 = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
	oidP224      = asn1.ObjectIdentifier{1, 3, 132, 0, 33}
)

// refusedAlgorithm explains why a key with this algorithm (and EC curve parameter) cannot be
// used, or returns nil when the algorithm is one jwtkit supports.
func refusedAlgorithm(algo pkix.AlgorithmIdentifier) error {
	switch {
	case algo.Algorithm.Equal(oidRSAPSS):
		return unsupported("RSA-PSS-restricted keys (id-RSASSA-PSS) are not supported; use an ordinary RSA key (openssl genpkey -algorithm RSA), which signs PS256 too")
	case algo.Algorithm.Equal(oidX25519), algo.Algorithm.Equal(oidX448):
		return unsupported("X25519 and X448 keys are for key agreement, not signatures; use an Ed25519 key for EdDSA")
	case algo.Algorithm.Equal(oidEd448):
		return unsupported("Ed448 keys are not supported; use an Ed25519 key for EdDSA")
	case algo.Algorithm.Equal(oidDSA):
		return unsupported("DSA keys are not supported by JWS")
	case algo.Algorithm.Equal(oidEC):
		var curve asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(algo.Parameters.FullBytes, &curve); err == nil {
			return refusedCurve(curve)
		}
	}
	return nil
}

func refusedCurve(curve asn1.ObjectIdentifier) error {
	switch {
	case curve.Equal(oidSecp256k1):
		return unsupported("secp256k1 keys (ES256K) are not supported; use P-256, P-384 or P-521")
	case curve.Equal(oidP224):
		return unsupported("EC curve P-224 is not used by JWS; ES256, ES384 and ES512 need P-256, P-384 or P-521")
	}
	return nil
}

type pkcs8Prefix struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	PrivateKey []byte
}

func parsePKCS8(der []byte) (any, error) {
	var p pkcs8Prefix
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) > 0 {
		return nil, errNotThisFormat
	}
	if err := refusedAlgorithm(p.Algo); err != nil {
		return nil, err
	}
	if p.Algo.Algorithm.Equal(oidRSA) {
		if err := checkPKCS1Private(p.PrivateKey); err != nil {
			return nil, err
		}
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("invalid PKCS#8 private key (%s)", plainX509Error(err))
	}
	return key, nil
}

// pkcs1PrivateKey mirrors the ASN.1 of a PKCS#1 RSA private key (RFC 8017 §A.1.2).
type pkcs1PrivateKey struct {
	Version          int
	N                *big.Int
	E                *big.Int
	D                *big.Int
	P                *big.Int
	Q                *big.Int
	Dp               *big.Int        `asn1:"optional"`
	Dq               *big.Int        `asn1:"optional"`
	Qinv             *big.Int        `asn1:"optional"`
	AdditionalPrimes []asn1.RawValue `asn1:"optional,omitempty"`
}

// checkPKCS1Private reads the numbers of a PKCS#1 private key and bounds them before the
// standard library validates the key, whose cost grows with the square of their size.
func checkPKCS1Private(der []byte) error {
	var k pkcs1PrivateKey
	if rest, err := asn1.Unmarshal(der, &k); err != nil || len(rest) > 0 {
		return errNotThisFormat
	}
	if k.N == nil || k.N.Sign() <= 0 {
		return errors.New("invalid RSA private key: missing modulus")
	}
	bits := k.N.BitLen()
	if err := checkRSABits(bits); err != nil {
		return err
	}
	if len(k.AdditionalPrimes) > 0 {
		return unsupported("multi-prime RSA keys are not supported")
	}
	for _, v := range []*big.Int{k.E, k.D, k.P, k.Q, k.Dp, k.Dq, k.Qinv} {
		if v != nil && v.BitLen() > bits {
			return errors.New("invalid RSA private key: a value is larger than the modulus")
		}
	}
	return nil
}

func parsePKCS1Private(der []byte) (any, error) {
	if err := checkPKCS1Private(der); err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("invalid PKCS#1 RSA private key (%s)", plainX509Error(err))
	}
	return key, nil
}

type sec1Prefix struct {
	Version    int
	PrivateKey []byte
	Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
}

func parseSEC1(der []byte) (any, error) {
	var p sec1Prefix
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) > 0 || p.Version != 1 {
		return nil, errNotThisFormat
	}
	if err := refusedCurve(p.Curve); err != nil {
		return nil, err
	}
	key, err := x509.ParseECPrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("invalid SEC 1 EC private key (%s)", plainX509Error(err))
	}
	return key, nil
}

type spkiPrefix struct {
	Algo      pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

func parsePKIX(der []byte) (any, error) {
	var p spkiPrefix
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) > 0 {
		return nil, errNotThisFormat
	}
	if err := refusedAlgorithm(p.Algo); err != nil {
		return nil, err
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("invalid public key (%s)", plainX509Error(err))
	}
	return key, nil
}

func parseCertificate(der []byte) (any, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		var p struct {
			TBS    asn1.RawValue
			SigAlg pkix.AlgorithmIdentifier
			Sig    asn1.BitString
		}
		if rest, perr := asn1.Unmarshal(der, &p); perr != nil || len(rest) > 0 {
			return nil, errNotThisFormat
		}
		return nil, fmt.Errorf("invalid certificate (%s)", plainX509Error(err))
	}
	if err := refusedAlgorithm(pkix.AlgorithmIdentifier{Algorithm: publicKeyOID(cert)}); err != nil {
		return nil, err
	}
	if _, ok := cert.PublicKey.(*ecdh.PublicKey); ok {
		return nil, unsupported("X25519 keys are for key agreement, not signatures; use an Ed25519 key for EdDSA")
	}
	if cert.PublicKey == nil {
		return nil, unsupported("the certificate's public key algorithm is not supported")
	}
	return cert.PublicKey, nil
}

// publicKeyOID reads the algorithm OID of a certificate's subject public key.
func publicKeyOID(cert *x509.Certificate) asn1.ObjectIdentifier {
	var p spkiPrefix
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &p); err != nil {
		return nil
	}
	return p.Algo.Algorithm
}

// plainX509Error strips the "x509: " prefix from the standard library's messages.
func plainX509Error(err error) string {
	msg, _ := bytes.CutPrefix([]byte(err.Error()), []byte("x509: "))
	return truncate(string(msg), 120)
}

// quoted quotes an untrusted name for a message, escaping control characters and cutting it
// to a readable length.
func quoted(s string) string {
	return fmt.Sprintf("%q", truncate(s, 80))
}

// truncate shortens s to at most n bytes without splitting a UTF-8 sequence, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
