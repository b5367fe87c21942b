// Package interop holds jwtkit's interoperability tests and no other code. They check, for every
// signing algorithm, that tokens jwtkit mints verify in independent JOSE implementations (node's
// jose and Debian's jose tool), that tokens those make verify in jwtkit, and that keys made by
// each side, as PEM and as JWK, load on the other; a token with one flipped signature bit must
// fail everywhere. The peers are found through internal/testenv and installed by
// .ci/install-peers.
package interop
