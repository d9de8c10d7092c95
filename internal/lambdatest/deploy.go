package lambdatest

import (
	"path/filepath"
	"testing"
)

// Parameters are test values for the parameters of template.yaml that have no default or
// whose default leaves part of the stack out: what `sam deploy --guided` asks for, and a
// Slack secret so that the Slack function is deployed.
func Parameters() map[string]string {
	return map[string]string{
		"SesFrom":                "Gatehouse <invites@gatehouse.example.com>",
		"SesIdentity":            "gatehouse.example.com",
		"PublicUrl":              "https://gatehouse.example.com",
		"SlackSigningSecretName": "gatehouse/slack-signing-secret",
		"SlackClientId":          "1234567890.1234567890",
		"SlackClientSecretName":  "gatehouse/slack-client-secret",
	}
}

// Deployment is one function of template.yaml as deployed on a local stack.
type Deployment struct {
	*Function
	// Resources are the names of the tables and buckets made for it, by logical ID.
	Resources map[string]string
	stack     *Stack
}

// Deploy reads the repository's template.yaml with Parameters, makes a fresh table or bucket
// on the stack for each of its tables and buckets, and returns function id as the template
// then gives it. A function the template does not deploy fails the test.
func (s *Stack) Deploy(tb testing.TB, id string) *Deployment {
	tb.Helper()
	root, err := RepoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(root, "template.yaml")
	shape, err := Load(path, Values{Parameters: Parameters()})
	if err != nil {
		tb.Fatal(err)
	}
	resources := s.Provision(tb, shape)
	t, err := Load(path, Values{Parameters: Parameters(), Resources: resources})
	if err != nil {
		tb.Fatal(err)
	}
	fn, ok := t.Functions[id]
	if !ok || !fn.Deployed {
		tb.Fatalf("template.yaml does not deploy %s with lambdatest.Parameters", id)
	}
	return &Deployment{Function: fn, Resources: resources, stack: s}
}

// Getenv looks a variable up as the function's code does through env.Getenv, run in this
// process: the template's variables, the stack's endpoints over them. Lambda's own variables
// are left out: seeing neither credentials nor a region beside the local endpoints, the code
// signs its requests to them with placeholders in us-east-1.
func (d *Deployment) Getenv(name string) string {
	if v, ok := d.stack.endpoints[name]; ok {
		return v
	}
	return d.Env[name]
}

// Process is the function's whole environment as a process of its own, such as under the
// Lambda emulator: Environment with the stack's Env over the template's variables.
func (d *Deployment) Process() map[string]string { return Environment(d.Function, d.stack.Env()) }
