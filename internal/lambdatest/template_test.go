package lambdatest_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/lambdatest"
)

// These tests hold template.yaml to the code: every function has a row, is built from its
// folder and is reached by the routes its handlers serve. Each function's own tests build its
// handler from the template's environment (Stack.Deploy), so that the template gives every
// variable the code requires.

// repo is the repository's root folder and its template with the test parameters.
func repo(t *testing.T) (string, *lambdatest.Template) {
	t.Helper()
	root, err := lambdatest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := lambdatest.Load(filepath.Join(root, "template.yaml"), lambdatest.Values{Parameters: lambdatest.Parameters()})
	if err != nil {
		t.Fatal(err)
	}
	return root, tmpl
}

// row is the template's function for f, failing the test when there is none.
func row(t *testing.T, tmpl *lambdatest.Template, f function) *lambdatest.Function {
	t.Helper()
	fn, ok := tmpl.Functions[f.ID]
	if !ok {
		t.Fatalf("row %s: template.yaml has no such function", f.ID)
	}
	return fn
}

func TestEveryFunctionHasARow(t *testing.T) {
	root, tmpl := repo(t)
	rows := map[string]string{}
	for _, f := range functions {
		rows[f.ID] = f.Dir
		if fn := row(t, tmpl, f); !fn.Deployed {
			t.Errorf("%s: its Condition leaves it out of the stack: give lambdatest.Parameters test values that deploy it", f.ID)
		}
	}
	for id := range tmpl.Functions {
		if _, ok := rows[id]; !ok {
			t.Errorf("%s is in template.yaml but has no row in functions (functions_test.go)", id)
		}
	}
	mains, err := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mains {
		dir := filepath.Base(filepath.Dir(m))
		if !slices.ContainsFunc(functions, func(f function) bool { return f.Dir == dir }) {
			t.Errorf("functions/%s has no row in functions, so template.yaml may not deploy it", dir)
		}
	}
}

func TestEveryFunctionIsBuiltFromItsFolder(t *testing.T) {
	root, tmpl := repo(t)
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range functions {
		// sam build runs the Makefile's target build-<ID> in CodeUri: its one command must
		// build functions/<Dir>.
		target := regexp.MustCompile(`(?m)^build-` + f.ID + `:\n\t[^\n]* \./functions/` + f.Dir + `\n(?:[^\t]|\z)`)
		if fn := row(t, tmpl, f); fn.BuildMethod != "makefile" || fn.CodeURI != "." || !target.Match(makefile) {
			t.Errorf("%s: want BuildMethod makefile, CodeUri . and the Makefile's build-%s building ./functions/%s alone", f.ID, f.ID, f.Dir)
		}
	}
}

func TestEveryServedRouteReachesItsFunction(t *testing.T) {
	root, tmpl := repo(t)
	routes := tmpl.Routes()
	for _, f := range functions {
		if f.Routes == "" {
			continue
		}
		t.Run(f.ID, func(t *testing.T) {
			apis := functionAPIs(routes, f.ID)
			if len(apis) == 0 {
				t.Fatalf("serves %s's routes but has no Api event", f.Routes)
			}
			served, err := lambdatest.ServedRoutes(filepath.Join(root, f.Routes))
			if err != nil {
				t.Fatal(err)
			}
			if len(served) == 0 {
				t.Fatalf("%s serves no patterns: Routes names the wrong package", f.Routes)
			}
			for _, api := range apis {
				for _, s := range served {
					methods := []string{s.Method}
					if s.Method == "" {
						methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}
					}
					var reached []string
					for _, m := range methods {
						if r, ok := lambdatest.RouteFor(routes, api, m, s.Path); ok && r.Function == f.ID {
							reached = append(reached, m)
						}
					}
					if len(reached) == 0 {
						t.Errorf("%q (%s) does not reach %s through API %s", s.Pattern, s.Path, f.ID, api)
					}
				}
			}
		})
	}
}

// functionAPIs are the APIs routing to the function id.
func functionAPIs(routes []lambdatest.Route, id string) []string {
	var out []string
	for _, r := range routes {
		if r.Function == id && !slices.Contains(out, r.API) {
			out = append(out, r.API)
		}
	}
	return out
}

func TestConditionsDecideWhatIsDeployed(t *testing.T) {
	root, _ := repo(t)
	tests := []struct {
		name      string
		overrides map[string]string
		slack     bool
		configSet string // the mailer's SES_CONFIGURATION_SET
	}{
		{"with a Slack secret", nil, true, "gatehouse-EmailConfigurationSet"},
		{"without a Slack secret", map[string]string{"SlackSigningSecretName": ""}, false, "gatehouse-EmailConfigurationSet"},
		{"with a configuration set of one's own", map[string]string{"SesConfigurationSet": "own"}, true, "own"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := lambdatest.Parameters()
			for k, v := range tt.overrides {
				params[k] = v
			}
			tmpl, err := lambdatest.Load(filepath.Join(root, "template.yaml"), lambdatest.Values{Parameters: params})
			if err != nil {
				t.Fatal(err)
			}
			got := []any{tmpl.Functions["SlackFunction"].Deployed, tmpl.Functions["MailerFunction"].Env["SES_CONFIGURATION_SET"]}
			if diff := cmp.Diff([]any{tt.slack, tt.configSet}, got); diff != "" {
				t.Errorf("Slack deployed, SES_CONFIGURATION_SET mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
