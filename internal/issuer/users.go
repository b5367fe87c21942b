package issuer

import (
	"strings"
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
)

// User is an end user the server logs in at /authorize without asking (the login is headless):
// the default user, or the one a login_hint names.
type User struct {
	// Subject is the sub of the user's tokens.
	Subject string
	// Claims are the user's claims (name, email, email_verified, …, and any others), in the
	// order given. Standard OpenID Connect claims are released by scope (profile, email,
	// address, phone); any other claim is always released. String values may be templates
	// (ClaimTemplates).
	Claims *claims.Object
	tmpl   *ClaimTemplates
}

// DefaultSubject is the sub of the built-in user, used when the configuration has no users.
const DefaultSubject = "user"

// The claims each OpenID Connect scope releases (OpenID Connect Core §5.4), as slices of
// constants, which need no package initialisation (a map would; see failure.Sentinel).
var (
	profileClaims = []string{"name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
		"profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"}
	emailClaims   = []string{"email", "email_verified"}
	addressClaims = []string{"address"}
	phoneClaims   = []string{"phone_number", "phone_number_verified"}
)

// scopeClaims returns the claims the OpenID Connect scope releases; none for other scopes.
func scopeClaims(scope string) []string {
	switch scope {
	case "profile":
		return profileClaims
	case "email":
		return emailClaims
	case "address":
		return addressClaims
	case "phone":
		return phoneClaims
	}
	return nil
}

// reservedUserClaims are claims the server sets itself; a user's entry may not set them.
var reservedUserClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce",
	"azp", "at_hash", "c_hash", "acr", "amr", "sid", "client_id", "scope", "cnf", "act", "typ"}

// standardClaim reports whether name is released only by a scope.
func standardClaim(name string) bool {
	for _, list := range [...][]string{profileClaims, emailClaims, addressClaims, phoneClaims} {
		if contains(list, name) {
			return true
		}
	}
	return false
}

// userClaims returns the claims of u that scope releases, in u's order, their templates
// rendered for data at now.
func userClaims(u *User, scope string, data TemplateData, now time.Time) ([][2]any, *oauthError) {
	if u == nil || u.Claims == nil {
		return nil, nil
	}
	obj := u.Claims
	if u.tmpl != nil {
		var err error
		if obj, err = u.tmpl.Render(data, now); err != nil {
			return nil, serverError("rendering the claims of user " + Sanitize(u.Subject, 100) + " failed").
				withDetail(Sanitize(err.Error(), 300))
		}
	}
	granted := strings.Fields(scope)
	var out [][2]any
	for _, name := range obj.Keys() {
		release := !standardClaim(name)
		for _, sc := range granted {
			if contains(scopeClaims(sc), name) {
				release = true
			}
		}
		if release {
			v, _ := obj.Get(name)
			out = append(out, [2]any{name, v})
		}
	}
	return out, nil
}

// checkUsers validates the users: unique printable subjects and no reserved claims.
func checkUsers(users []User) (map[string]*User, error) {
	out := make(map[string]*User, len(users))
	for i := range users {
		u := users[i]
		if err := checkSubject(u.Subject); err != nil {
			return nil, err
		}
		if _, dup := out[u.Subject]; dup {
			return nil, usageError("user %q is listed twice", u.Subject)
		}
		if u.Claims != nil {
			for _, name := range u.Claims.Keys() {
				if contains(reservedUserClaims, name) {
					return nil, usageError("user %q: claim %q is set by the server and cannot be configured", u.Subject, Sanitize(name, 60))
				}
			}
			t, err := CompileClaimTemplates(u.Claims)
			if err != nil {
				return nil, usageError("user %q: %v", u.Subject, err)
			}
			if len(t.tmpls) > 0 {
				u.tmpl = t
			}
		}
		out[u.Subject] = &u
	}
	return out, nil
}

// checkSubject accepts a sub of printable ASCII without spaces, up to 200 bytes (OpenID
// Connect Core §2 allows 255 ASCII characters).
func checkSubject(sub string) error {
	if sub == "" {
		return usageError("a user's sub is empty")
	}
	if len(sub) > 200 {
		return usageError("user %q: sub is longer than 200 bytes", Sanitize(sub, 40))
	}
	for i := 0; i < len(sub); i++ {
		if sub[i] <= 0x20 || sub[i] > 0x7e {
			return usageError("user %q: sub has a character outside printable ASCII (or a space)", Sanitize(sub, 200))
		}
	}
	return nil
}

// setUsers installs the users and picks the default one.
func (s *Server) setUsers(users map[string]*User, def string) error {
	s.users = users
	if len(users) == 0 {
		u := &User{Subject: DefaultSubject}
		s.users = map[string]*User{u.Subject: u}
		if def != "" && def != DefaultSubject {
			return usageError("default user %q is not among the users", Sanitize(def, 100))
		}
		s.user = u
		return nil
	}
	if def == "" {
		def = s.cfg.Users[0].Subject
	}
	if s.user = users[def]; s.user == nil {
		return usageError("default user %q is not among the users", Sanitize(def, 100))
	}
	return nil
}

// userFor returns the user a login_hint names: a configured user, or, for a hint that names
// none, a user of that sub without claims (so a test can log in anyone without configuring
// them, as mock-oauth2-server allows). An empty hint is the default user.
func (s *Server) userFor(hint string) (*User, bool) {
	if hint == "" {
		return s.user, true
	}
	if u := s.users[hint]; u != nil {
		return u, true
	}
	if checkSubject(hint) != nil {
		return nil, false
	}
	return &User{Subject: hint}, true
}
