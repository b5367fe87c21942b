// Package token reads compact JWTs, checks their form strictly, describes what a reader of a
// token should notice, and signs new ones.
//
// It never verifies a signature: verification belongs to the verify command, which uses
// go-jose as the reference implementation. Everything here treats its input as hostile: sizes
// are capped before any work, every character and segment is checked before decoding, JSON is
// checked for duplicate names, nesting depth and lone surrogates before it is decoded, and no
// input makes it panic or allocate without bound.
//
// Signing uses only the Go standard library.
package token
