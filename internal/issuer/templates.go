package issuer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/jwtkit/jwtkit/internal/claims"
	"github.com/jwtkit/jwtkit/internal/timespec"
)

// MaxTemplateOutput caps what one claim template may render.
const MaxTemplateOutput = 4096

// TemplateData is what a claim template sees: {{.client_id}}, {{.scope}}, {{.sub}} and
// {{.grant_type}} (empty where the request has none, as at /userinfo).
type TemplateData struct {
	ClientID, Scope, Subject, GrantType string
}

func (d TemplateData) fields() map[string]string {
	return map[string]string{"client_id": d.ClientID, "scope": d.Scope, "sub": d.Subject, "grant_type": d.GrantType}
}

// templateFuncs are the only functions a claim template may call: the time helpers and the
// comparisons. Everything else (printf, call, template, range, define) is refused at load time,
// so that a template can neither loop nor produce unbounded output.
var templateFuncs = []string{"now", "add_time", "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not"}

// timeFuncs are the helpers whose lone call makes a claim a number (Unix seconds), not a string.
var timeFuncs = []string{"now", "add_time"}

// ClaimTemplates are the claims of a client or a user, with their string values compiled as
// templates. A claim whose whole value is one call of now or add_time renders as a number;
// every other template renders as a string; values without "{{" stay as they are.
type ClaimTemplates struct {
	obj   *claims.Object
	tmpls map[string]*template.Template // by path, for the templated strings
}

// funcMap returns the functions of a template rendered at now; for compiling, now is zero.
func funcMap(now time.Time) template.FuncMap {
	return template.FuncMap{
		"now": func() int64 { return now.Unix() },
		"add_time": func(offset string) (int64, error) {
			d, err := parseOffset(offset)
			if err != nil {
				return 0, err
			}
			return now.Add(d).Unix(), nil
		},
	}
}

// parseOffset reads add_time's argument: a duration such as 1h, -5m or 90s.
func parseOffset(s string) (time.Duration, error) {
	neg := strings.HasPrefix(s, "-")
	d, err := timespec.ParseDuration(strings.TrimPrefix(s, "-"))
	if err != nil {
		return 0, fmt.Errorf("add_time %q: %v", s, err)
	}
	if neg {
		d = -d
	}
	return d, nil
}

// CompileClaimTemplates compiles the templates among obj's string values (nested ones too).
// Errors name the claim by its path (claims.a.b[0]).
func CompileClaimTemplates(obj *claims.Object) (*ClaimTemplates, error) {
	ct := &ClaimTemplates{obj: obj, tmpls: map[string]*template.Template{}}
	if obj == nil {
		return ct, nil
	}
	var walk func(path string, v any) error
	walk = func(path string, v any) error {
		switch x := v.(type) {
		case string:
			if !strings.Contains(x, "{{") {
				return nil
			}
			t, err := compileTemplate(x)
			if err != nil {
				return fmt.Errorf("%s: %v", path, err)
			}
			ct.tmpls[path] = t
		case *claims.Object:
			for _, k := range x.Keys() {
				sub, _ := x.Get(k)
				if err := walk(path+"."+k, sub); err != nil {
					return err
				}
			}
		case []any:
			for i, sub := range x {
				if err := walk(path+"["+strconv.Itoa(i)+"]", sub); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk("claims", obj); err != nil {
		return nil, err
	}
	return ct, nil
}

// compileTemplate parses src with the restricted functions and checks its tree.
func compileTemplate(src string) (*template.Template, error) {
	if len(src) > MaxTemplateOutput {
		return nil, errors.New("the template is longer than 4 KiB")
	}
	t, err := template.New("claim").Option("missingkey=error").Funcs(funcMap(time.Time{})).Parse(src)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "template: claim:"))
	}
	if len(t.Templates()) > 1 {
		return nil, errors.New("{{define}} is not allowed in a claim template")
	}
	if err := checkTemplateNode(t.Tree.Root); err != nil {
		return nil, err
	}
	return t, nil
}

// checkTemplateNode allows text, actions, if/else and the fields and functions above; no
// range, with, template or break, so that rendering is one pass over the template.
func checkTemplateNode(n parse.Node) error {
	switch x := n.(type) {
	case *parse.ListNode:
		if x == nil {
			return nil
		}
		for _, c := range x.Nodes {
			if err := checkTemplateNode(c); err != nil {
				return err
			}
		}
	case *parse.TextNode, *parse.CommentNode:
	case *parse.ActionNode:
		return checkPipe(x.Pipe)
	case *parse.IfNode:
		if err := checkPipe(x.Pipe); err != nil {
			return err
		}
		if err := checkTemplateNode(x.List); err != nil {
			return err
		}
		return checkTemplateNode(x.ElseList)
	default:
		return fmt.Errorf("%s is not allowed in a claim template; use fields, if and the functions %s", n, strings.Join(templateFuncs, ", "))
	}
	return nil
}

func checkPipe(p *parse.PipeNode) error {
	if p == nil {
		return nil
	}
	for _, cmd := range p.Cmds {
		for i, arg := range cmd.Args {
			switch a := arg.(type) {
			case *parse.IdentifierNode:
				if !contains(templateFuncs, a.Ident) {
					return fmt.Errorf("function %s is not allowed in a claim template; use %s", a.Ident, strings.Join(templateFuncs, ", "))
				}
				if a.Ident == "add_time" && len(cmd.Args) > i+1 {
					if s, ok := cmd.Args[i+1].(*parse.StringNode); ok {
						if _, err := parseOffset(s.Text); err != nil {
							return err
						}
					}
				}
			case *parse.FieldNode:
				if len(a.Ident) != 1 || !contains([]string{"client_id", "scope", "sub", "grant_type"}, a.Ident[0]) {
					return fmt.Errorf("field %s is not known; use .client_id, .scope, .sub or .grant_type", a)
				}
			case *parse.PipeNode:
				if err := checkPipe(a); err != nil {
					return err
				}
			case *parse.StringNode, *parse.NumberNode, *parse.BoolNode, *parse.VariableNode, *parse.DotNode, *parse.NilNode:
			default:
				return fmt.Errorf("%s is not allowed in a claim template", arg)
			}
		}
	}
	return nil
}

// isTimeCall reports whether t is a lone call of now or add_time.
func isTimeCall(t *template.Template) bool {
	nodes := t.Tree.Root.Nodes
	if len(nodes) != 1 {
		return false
	}
	a, ok := nodes[0].(*parse.ActionNode)
	if !ok || len(a.Pipe.Decl) > 0 || len(a.Pipe.Cmds) != 1 {
		return false
	}
	id, ok := a.Pipe.Cmds[0].Args[0].(*parse.IdentifierNode)
	return ok && contains(timeFuncs, id.Ident)
}

// limitedBuffer is a bytes.Buffer that fails past MaxTemplateOutput bytes.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > MaxTemplateOutput {
		return 0, errors.New("the claim renders to more than 4 KiB")
	}
	return b.Buffer.Write(p)
}

// Render returns the claims with every template rendered for data at now, in their order.
func (ct *ClaimTemplates) Render(data TemplateData, now time.Time) (*claims.Object, error) {
	if ct == nil || ct.obj == nil {
		return nil, nil
	}
	fields := data.fields()
	funcs := funcMap(now)
	var render func(path string, v any) (any, error)
	render = func(path string, v any) (any, error) {
		switch x := v.(type) {
		case string:
			t := ct.tmpls[path]
			if t == nil {
				return x, nil
			}
			var out limitedBuffer
			if err := template.Must(t.Clone()).Funcs(funcs).Execute(&out, fields); err != nil {
				return nil, fmt.Errorf("%s: %v", path, strings.TrimPrefix(err.Error(), "template: claim:"))
			}
			if isTimeCall(t) {
				return json.Number(out.String()), nil
			}
			return out.String(), nil
		case *claims.Object:
			o := claims.NewObject()
			for _, k := range x.Keys() {
				sub, _ := x.Get(k)
				r, err := render(path+"."+k, sub)
				if err != nil {
					return nil, err
				}
				o.Set(k, r)
			}
			return o, nil
		case []any:
			list := make([]any, len(x))
			for i, sub := range x {
				r, err := render(path+"["+strconv.Itoa(i)+"]", sub)
				if err != nil {
					return nil, err
				}
				list[i] = r
			}
			return list, nil
		}
		return v, nil
	}
	out, err := render("claims", ct.obj)
	if err != nil {
		return nil, err
	}
	return out.(*claims.Object), nil
}

// checkClientClaims validates a client's claims: none the server sets, templates that compile.
func checkClientClaims(c *Client) (*ClaimTemplates, error) {
	if c.Claims == nil {
		return nil, nil
	}
	for _, name := range c.Claims.Keys() {
		if contains(reservedUserClaims, name) {
			return nil, usageError("client %q: claim %q is set by the server and cannot be configured", c.ID, Sanitize(name, 60))
		}
	}
	t, err := CompileClaimTemplates(c.Claims)
	if err != nil {
		return nil, usageError("client %q: %v", c.ID, err)
	}
	return t, nil
}

// addClientClaims adds the client's claims, rendered for g at now, to an access token's claims.
func (s *Server) addClientClaims(p *claims.Object, g *grant, now time.Time) *oauthError {
	t := s.clientClaims[g.client.ID]
	if t == nil {
		return nil
	}
	obj, err := t.Render(TemplateData{ClientID: g.client.ID, Scope: g.scope, Subject: g.subject, GrantType: g.grantType}, now)
	if err != nil {
		return serverError("rendering the claims of client " + Sanitize(g.client.ID, 100) + " failed").
			withDetail(Sanitize(err.Error(), 300))
	}
	for _, name := range obj.Keys() {
		v, _ := obj.Get(name)
		p.Set(name, v)
	}
	return nil
}
