package lambdatest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/lambdatest"
)

// sample is what the checks of events/ read of an event.
type sample struct {
	HTTPMethod string `json:"httpMethod"`
	Path       string `json:"path"`
	DetailType string `json:"detail-type"`
	Records    []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
}

// triggerType is the type of the SAM event source that sends events shaped like e.
func (e sample) triggerType() string {
	switch {
	case e.HTTPMethod != "":
		return "Api"
	case e.DetailType == "Scheduled Event":
		return "Schedule"
	case e.DetailType != "":
		return "EventBridgeRule"
	case len(e.Records) > 0:
		return map[string]string{"aws:dynamodb": "DynamoDB", "aws:sqs": "SQS", "aws:kinesis": "Kinesis"}[e.Records[0].EventSource]
	}
	return ""
}

func TestEventsCoverEveryTrigger(t *testing.T) {
	root, tmpl := repo(t)
	routes := tmpl.Routes()
	all, err := filepath.Glob(filepath.Join(root, "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range functions {
		t.Run(f.ID, func(t *testing.T) {
			var files, sent, types []string
			for _, p := range all {
				if name := filepath.Base(p); strings.HasPrefix(name, f.Dir+"-") {
					files = append(files, name)
				}
			}
			for _, e := range f.Events {
				if slices.Contains(sent, e.File) {
					continue
				}
				sent = append(sent, e.File)
				var ev sample
				if err := json.Unmarshal(readEvent(t, root, e.File), &ev); err != nil {
					t.Fatalf("%s: %v", e.File, err)
				}
				types = append(types, ev.triggerType())
				if ev.HTTPMethod != "" && !reaches(routes, f.ID, ev.HTTPMethod, ev.Path) {
					t.Errorf("%s: %s %s does not reach %s", e.File, ev.HTTPMethod, ev.Path, f.ID)
				}
			}
			sort.Strings(sent)
			if diff := cmp.Diff(files, sent); diff != "" {
				t.Errorf("events/%s-*.json and the row's events differ (-files +row):\n%s", f.Dir, diff)
			}
			for name, tr := range row(t, tmpl, f).Triggers {
				if !slices.Contains(types, tr.Type) {
					t.Errorf("trigger %s (%s) has no event in events/ (the row's are of types %v)", name, tr.Type, types)
				}
			}
		})
	}
	for _, p := range all {
		name := filepath.Base(p)
		if !slices.ContainsFunc(functions, func(f function) bool { return strings.HasPrefix(name, f.Dir+"-") }) {
			t.Errorf("events/%s belongs to no function: name it <folder>-*.json", name)
		}
	}
}

// reaches reports whether method and path reach function id through one of its APIs.
func reaches(routes []lambdatest.Route, id, method, path string) bool {
	for _, api := range functionAPIs(routes, id) {
		if r, ok := lambdatest.RouteFor(routes, api, method, path); ok && r.Function == id {
			return true
		}
	}
	return false
}

// readEvent reads events/name.
func readEvent(tb testing.TB, root, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(root, "events", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
