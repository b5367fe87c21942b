// Package jwe encrypts and decrypts compact JSON Web Encryption tokens (RFC 7516) with
// go-jose, adding the checks go-jose leaves to its caller:
//
//   - the compact token is capped in size (MaxSize) and its form checked by token.Parse
//     (strict base64url, one JSON object header, no duplicate members) before go-jose sees it;
//   - the key-management alg and the enc are taken only from explicit allow-lists, chosen per
//     key: a password only opens PBES2, an RSA key only RSA-OAEP (RSA1_5 only when
//     DecryptOptions.AllowRSA1_5), an EC key only ECDH-ES, an AES key only AES key wrap or dir;
//   - PBES2 "p2c" is read from the header and refused above MaxP2C before any PBKDF2 work;
//   - an ECDH-ES "epk" must be a public EC key on the curve of the decrypting key
//     (the invalid-curve attack), checked with crypto/ecdh before any key agreement;
//   - "zip" must be absent or "DEF", and the plaintext is refused above MaxPlaintext;
//   - keys whose JWK "use" is not "enc", or whose "key_ops" lack the operation, are refused;
//   - every failure after the header checks is one error, ErrDecrypt's message and code, so
//     neither message nor exit code tells a bad padding from a bad tag or a wrong key.
//
// The package knows nothing of flags or terminals: it takes bytes and keys and returns
// bytes or errors classified with internal/failure.
package jwe
