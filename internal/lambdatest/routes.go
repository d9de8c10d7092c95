package lambdatest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// implicitAPI is the RestApiId of Api events that name none: SAM's implicit API.
const implicitAPI = "ServerlessRestApi"

// Route is an API Gateway REST route to a function: a method (or ANY) on a resource path.
type Route struct {
	API      string // the RestApiId
	Method   string // GET, POST, ... or ANY
	Path     string // the resource path, such as /{proxy+} or /slack/commands
	Function string // the function's logical ID
}

// Routes are the Api triggers of the functions the template deploys.
func (t *Template) Routes() []Route {
	var out []Route
	for id, fn := range t.Functions {
		if !fn.Deployed {
			continue
		}
		for _, tr := range fn.Triggers {
			if tr.Type != "Api" {
				continue
			}
			api := scalar(tr.Properties["RestApiId"])
			if api == "" {
				api = implicitAPI
			}
			out = append(out, Route{
				API: api, Method: strings.ToUpper(scalar(tr.Properties["Method"])),
				Path: scalar(tr.Properties["Path"]), Function: id,
			})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path+out[i].Method < out[j].Path+out[j].Method })
	return out
}

// RouteFor finds the route API Gateway gives method and path on api, as a REST API chooses:
// resources are matched segment by segment, a literal segment before {param} before
// {proxy+}, trying the next when a choice leads nowhere; on the chosen resource the exact
// method before ANY. A resource that exists only as the parent of others has no methods:
// requests for it find no route, whatever {proxy+} is beside it.
func RouteFor(routes []Route, api, method, path string) (Route, bool) {
	byPath := map[string][]Route{}
	for _, r := range routes {
		if r.API == api {
			byPath[r.Path] = append(byPath[r.Path], r)
		}
	}
	resources := map[string]bool{"/": true}
	for p := range byPath {
		segs := segments(p)
		for i := range segs {
			resources["/"+strings.Join(segs[:i+1], "/")] = true
		}
	}
	res, ok := matchResource(resources, "", segments(path))
	if !ok {
		return Route{}, false
	}
	var anyMethod *Route
	for _, r := range byPath[res] {
		if r.Method == method {
			return r, true
		}
		if r.Method == "ANY" {
			anyMethod = &r
		}
	}
	if anyMethod != nil {
		return *anyMethod, true
	}
	return Route{}, false
}

// segments splits a path into its segments, without empty ones.
func segments(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// matchResource finds the resource under parent that matches rest, most specific first.
func matchResource(resources map[string]bool, parent string, rest []string) (string, bool) {
	if len(rest) == 0 {
		if parent == "" {
			return "/", true
		}
		return parent, true
	}
	var params, greedy []string
	for r := range resources {
		i := strings.LastIndex(r, "/")
		dir, last := r[:i], r[i+1:]
		if r == "/" || dir != parent {
			continue
		}
		switch {
		case last == rest[0]:
			if m, ok := matchResource(resources, r, rest[1:]); ok {
				return m, true
			}
		case strings.HasSuffix(last, "+}"):
			greedy = append(greedy, r)
		case strings.HasPrefix(last, "{"):
			params = append(params, r)
		}
	}
	sort.Strings(params)
	for _, r := range params {
		if m, ok := matchResource(resources, r, rest[1:]); ok {
			return m, true
		}
	}
	if len(greedy) > 0 {
		return greedy[0], true
	}
	return "", false
}

// Served is one pattern a net/http ServeMux in the code serves.
type Served struct {
	Pattern string // as written, such as "GET /api/v1/invitations/{id}"
	Method  string // "" when the pattern names none
	Path    string // a concrete path the pattern matches, such as /api/v1/invitations/x
}

// ServedRoutes lists the string-literal patterns passed to Handle and HandleFunc in the Go
// files (tests excluded) of the package in dir.
func ServedRoutes(dir string) ([]Served, error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	var out []Served
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		var perr error
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			pattern, err := strconv.Unquote(lit.Value)
			if err == nil {
				var s Served
				s, err = servedPattern(pattern)
				out = append(out, s)
			}
			if err != nil && perr == nil {
				perr = fmt.Errorf("%s: %w", fset.Position(lit.Pos()), err)
			}
			return true
		})
		if perr != nil {
			return nil, perr
		}
	}
	return out, nil
}

// servedPattern reads a ServeMux pattern, "[METHOD ]/path", with a concrete path it matches:
// wildcards become "x", a trailing slash (a subtree) gains a segment.
func servedPattern(pattern string) (Served, error) {
	s := Served{Pattern: pattern}
	path := pattern
	if m, p, ok := strings.Cut(pattern, " "); ok {
		s.Method, path = m, strings.TrimSpace(p)
	}
	if !strings.HasPrefix(path, "/") {
		return Served{}, fmt.Errorf("pattern %q: host patterns are not routed by API Gateway", pattern)
	}
	path = strings.TrimSuffix(path, "{$}")
	var segs []string
	for _, seg := range strings.Split(path, "/")[1:] {
		if strings.HasPrefix(seg, "{") {
			seg = "x"
		}
		segs = append(segs, seg)
	}
	s.Path = "/" + strings.Join(segs, "/")
	if strings.HasSuffix(s.Path, "/") && s.Path != "/" && !strings.HasSuffix(pattern, "{$}") {
		s.Path += "x"
	}
	return s, nil
}
