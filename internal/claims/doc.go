// Package claims holds JSON objects whose members keep the order they were given in, and the
// grammar of the --claim and --header flags that edit them.
//
// mint builds token headers and payloads with Object so that the bytes it signs follow the
// user's order and are the same on every run. ParseObject reads JSON objects strictly: it
// refuses duplicate member names (two parsers that pick different duplicates is how claims get
// smuggled past a verifier), invalid UTF-8, deep nesting and oversized input.
package claims
