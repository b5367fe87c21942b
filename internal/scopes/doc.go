// Package scopes reads and writes the three shapes in which tokens carry OAuth scopes:
//
//   - space: "scope": "read:users write:posts" (RFC 8693, RFC 9068; the default);
//   - array: "scopes": ["read:users", "write:posts"] (GitHub style);
//   - structured: "scopes": {"users": {"actions": ["read", "create"]}} (Auth0 API v2), where
//     the scope "read:users" is the action "read" on the resource "users".
//
// Build writes one shape for mint; Extract reads every shape, plus Okta's and Azure's "scp",
// without being told which, for decode and verify. Scopes are compared exactly, case included,
// as RFC 6749 §3.3 requires.
package scopes
