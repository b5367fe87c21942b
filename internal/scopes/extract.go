package scopes

import (
	"slices"
	"sort"
	"strings"

	"github.com/jwtkit/jwtkit/internal/claims"
)

// Shape names reported by Extract.
const (
	ShapeSpace      = "space"      // a space-separated string in "scope" (or "scopes")
	ShapeArray      = "array"      // an array of strings in "scope" or "scopes"
	ShapeStructured = "structured" // a resource → {"actions": […]} object in "scopes"
	ShapeSCP        = "scp"        // the "scp" claim, string or array
)

// Extract reads the scopes a token grants from its decoded payload, whatever their shape and
// without being told which: "scope" as a space-separated string or an array; "scp" as a
// string or an array; "scopes" as an array of strings, a space-separated string, or the
// structured object, each of whose actions gives "action:resource".
//
// The result is the union, without duplicates, in the order scope, scp, scopes; within the
// structured object resources come in order when it is a *claims.Object and sorted by name when
// it is a map (whose order is lost). shapes names the shapes seen, in the same order, each once
// (ShapeSpace, ShapeArray, ShapeStructured, ShapeSCP).
//
// The payload is what encoding/json (with or without UseNumber) or claims.ParseObject decodes;
// members of any other type, non-string array members and malformed structured entries are
// ignored. Extract never panics.
func Extract(payload map[string]any) (list []string, shapes []string) {
	return extract(func(k string) (any, bool) { v, ok := payload[k]; return v, ok })
}

// ExtractObject is Extract for a payload read with claims.ParseObject.
func ExtractObject(payload *claims.Object) (list []string, shapes []string) {
	return extract(payload.Get)
}

// ExtractClaim reads scopes from the one claim named, in any shape: a space-separated string,
// an array of strings, or the structured object. It is for tokens that keep them elsewhere than
// scope, scp and scopes, such as Auth0's RBAC "permissions" array. A claim that is absent or of
// another type grants nothing.
func ExtractClaim(payload map[string]any, claim string) []string {
	c := collector{seen: make(map[string]bool)}
	if v, ok := payload[claim]; ok {
		_ = c.addString(v) || c.addArray(v) || c.addStructured(v)
	}
	return c.list
}

func extract(get func(string) (any, bool)) (list []string, shapes []string) {
	c := collector{seen: make(map[string]bool)}
	if v, ok := get("scope"); ok {
		switch {
		case c.addString(v):
			c.shape(ShapeSpace)
		case c.addArray(v):
			c.shape(ShapeArray)
		}
	}
	if v, ok := get("scp"); ok {
		if c.addString(v) || c.addArray(v) {
			c.shape(ShapeSCP)
		}
	}
	if v, ok := get("scopes"); ok {
		switch {
		case c.addArray(v):
			c.shape(ShapeArray)
		case c.addStructured(v):
			c.shape(ShapeStructured)
		case c.addString(v):
			c.shape(ShapeSpace)
		}
	}
	return c.list, c.shapes
}

type collector struct {
	list, shapes []string
	seen         map[string]bool
}

func (c *collector) add(s string) {
	if s != "" && !c.seen[s] {
		c.seen[s] = true
		c.list = append(c.list, s)
	}
}

func (c *collector) shape(s string) {
	if !slices.Contains(c.shapes, s) {
		c.shapes = append(c.shapes, s)
	}
}

// addString adds the space-separated scopes of v and reports whether v is a string.
func (c *collector) addString(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	for _, f := range strings.Fields(s) {
		c.add(f)
	}
	return true
}

// addArray adds the string members of v and reports whether v is an array.
func (c *collector) addArray(v any) bool {
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok {
				c.add(s)
			}
		}
		return true
	case []string:
		for _, s := range t {
			c.add(s)
		}
		return true
	}
	return false
}

// addStructured adds "action:resource" for each action of each resource of v and reports
// whether v is an object.
func (c *collector) addStructured(v any) bool {
	var resources []string
	var get func(string) (any, bool)
	switch t := v.(type) {
	case map[string]any:
		resources = make([]string, 0, len(t))
		for k := range t {
			resources = append(resources, k)
		}
		sort.Strings(resources)
		get = func(k string) (any, bool) { e, ok := t[k]; return e, ok }
	case *claims.Object:
		resources = t.Keys()
		get = t.Get
	default:
		return false
	}
	for _, r := range resources {
		if r == "" {
			continue
		}
		entry, _ := get(r)
		var actions any
		switch e := entry.(type) {
		case map[string]any:
			actions = e["actions"]
		case *claims.Object:
			actions, _ = e.Get("actions")
		}
		var names []string
		switch a := actions.(type) {
		case []any:
			for _, x := range a {
				if s, ok := x.(string); ok {
					names = append(names, s)
				}
			}
		case []string:
			names = a
		}
		for _, name := range names {
			if name != "" {
				c.add(name + ":" + r)
			}
		}
	}
	return true
}

// Missing returns the scopes of required that granted lacks, in the order of required and
// without duplicates; nil when all are granted.
func Missing(granted, required []string) []string {
	have := make(map[string]bool, len(granted))
	for _, g := range granted {
		have[g] = true
	}
	var out []string
	for _, r := range required {
		if !have[r] {
			have[r] = true // report each missing scope once
			out = append(out, r)
		}
	}
	return out
}

// HasAny reports whether granted holds at least one scope of anyOf. It is false when anyOf is
// empty: a check against no scopes grants nothing.
func HasAny(granted, anyOf []string) bool {
	for _, a := range anyOf {
		if slices.Contains(granted, a) {
			return true
		}
	}
	return false
}
