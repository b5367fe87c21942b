package attacks

import (
	"github.com/jwtkit/jwtkit/internal/attacks/forge"
)

// The corpus generator builds its tokens with package forge, as jwtkit audit does.
var (
	seg         = forge.Seg
	segB        = forge.SegB
	jws         = forge.JWS
	hs          = forge.HS
	hashFor     = forge.HashFor
	digest      = forge.Digest
	rawECDSA    = forge.RawECDSA
	compactJSON = forge.CompactJSON
	ecJWK       = forge.ECJWK
	rsaJWK      = forge.RSAJWK
	parts       = forge.Parts
	caseName    = forge.CaseName
	trimNewline = forge.TrimNewline
)
