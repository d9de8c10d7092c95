package lambdatest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRouteFor(t *testing.T) {
	routes := []Route{
		{API: "Api", Method: "ANY", Path: "/{proxy+}", Function: "ApiFunction"},
		{API: "Api", Method: "POST", Path: "/slack/commands", Function: "SlackFunction"},
		{API: "Api", Method: "GET", Path: "/items/{id}", Function: "ItemsFunction"},
		{API: "Other", Method: "ANY", Path: "/{proxy+}", Function: "OtherFunction"},
	}
	tests := []struct {
		method, path string
		want         string // the function, or "" for no route
	}{
		{"GET", "/healthz", "ApiFunction"},
		{"DELETE", "/api/v1/invitations/inv_1", "ApiFunction"},
		{"POST", "/slack/commands", "SlackFunction"},
		// The resource matches, the method does not: API Gateway does not fall back.
		{"GET", "/slack/commands", ""},
		// A resource that only holds others has no methods, {proxy+} beside it or not.
		{"POST", "/slack", ""},
		{"GET", "/slack/commands/more", "ApiFunction"},
		{"GET", "/items/7", "ItemsFunction"},
		{"DELETE", "/items/7", ""},
		{"GET", "/items/7/parts", "ApiFunction"},
		{"GET", "/", ""},
	}
	for _, tt := range tests {
		r, ok := RouteFor(routes, "Api", tt.method, tt.path)
		if got := r.Function; got != tt.want || ok != (tt.want != "") {
			t.Errorf("%s %s reaches %q (%v), want %q", tt.method, tt.path, got, ok, tt.want)
		}
	}
}

func TestTemplateRoutes(t *testing.T) {
	tmpl, err := Load("testdata/template.yaml", Values{Parameters: map[string]string{"Sender": "a@b.example", "SecretName": "s"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Route{
		{API: "gatehouse-Api", Method: "POST", Path: "/hooks/secret", Function: "SecretFunction"},
		{API: "gatehouse-Api", Method: "ANY", Path: "/{proxy+}", Function: "AppFunction"},
	}
	if diff := cmp.Diff(want, tmpl.Routes()); diff != "" {
		t.Errorf("routes mismatch (-want +got):\n%s", diff)
	}
}

func TestServedRoutes(t *testing.T) {
	got, err := ServedRoutes("testdata/served")
	if err != nil {
		t.Fatal(err)
	}
	want := []Served{
		{Pattern: "GET /items/{id}", Method: "GET", Path: "/items/x"},
		{Pattern: "/hooks/secret", Path: "/hooks/secret"},
		{Pattern: "GET /settings/", Method: "GET", Path: "/settings/x"},
		{Pattern: "GET /{$}", Method: "GET", Path: "/"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("served mismatch (-want +got):\n%s", diff)
	}
	if _, err := servedPattern("example.com/x"); err == nil {
		t.Error("a host pattern was accepted")
	}
}
