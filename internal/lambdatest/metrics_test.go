package lambdatest_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gatehouse/internal/lambdatest"
)

// The stack's own metrics namespace, for the test stack "gatehouse".
const namespace = "Gatehouse/gatehouse"

// metricsReferenced are the metrics of the stack's namespace that template.yaml's alarms and
// dashboard name, each with the Function dimensions it is read with.
func metricsReferenced(t *testing.T, tmpl *lambdatest.Template) map[string][]string {
	t.Helper()
	refs := map[string][]string{}
	add := func(ns, name string, dims []struct{ Name, Value string }) {
		if ns != namespace {
			return
		}
		fn := ""
		for _, d := range dims {
			if d.Name == "Function" {
				fn = d.Value
			}
		}
		refs[name] = append(refs[name], fn)
	}
	for id, typ := range tmpl.Resources {
		switch typ {
		case "AWS::CloudWatch::Alarm":
			var a struct {
				Namespace, MetricName string
				Dimensions            []struct{ Name, Value string }
				Metrics               []struct {
					MetricStat *struct {
						Metric struct {
							Namespace, MetricName string
							Dimensions            []struct{ Name, Value string }
						}
					}
				}
			}
			if err := json.Unmarshal(tmpl.Properties[id], &a); err != nil {
				t.Fatalf("alarm %s: %v", id, err)
			}
			add(a.Namespace, a.MetricName, a.Dimensions)
			for _, m := range a.Metrics {
				if m.MetricStat != nil {
					add(m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions)
				}
			}
		case "AWS::CloudWatch::Dashboard":
			var d struct{ DashboardBody string }
			if err := json.Unmarshal(tmpl.Properties[id], &d); err != nil {
				t.Fatalf("dashboard %s: %v", id, err)
			}
			var body struct {
				Widgets []struct {
					Type       string
					Properties struct{ Metrics [][]any }
				}
			}
			dec := json.NewDecoder(strings.NewReader(d.DashboardBody))
			if err := dec.Decode(&body); err != nil || len(body.Widgets) == 0 {
				t.Fatalf("dashboard %s: the body is not a dashboard's JSON: %v", id, err)
			}
			searched := regexp.MustCompile(`\{\\?"?([^,"\\]+)\\?"?,[^}]*\} MetricName="([A-Za-z]+)"`)
			for _, w := range body.Widgets {
				for _, m := range w.Properties.Metrics {
					if ns, ok := m[0].(string); ok && len(m) >= 4 {
						dims := []struct{ Name, Value string }{{Name: m[2].(string), Value: m[3].(string)}}
						add(ns, m[1].(string), dims)
						continue
					}
					expr, _ := m[0].(map[string]any)["expression"].(string)
					for _, match := range searched.FindAllStringSubmatch(expr, -1) {
						add(match[1], match[2], nil)
					}
					if expr != "" && !searched.MatchString(expr) {
						t.Errorf("dashboard expression %q searches no metric of %s", expr, namespace)
					}
				}
			}
		}
	}
	return refs
}

// readmeMetrics are the metrics the README's Metrics section lists, one table row each.
func readmeMetrics(t *testing.T, root string) []string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Metrics\n")
	if !ok {
		t.Fatal("README.md has no Metrics section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var names []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Za-z]+)` \\|").FindAllStringSubmatch(section, -1) {
		names = append(names, m[1])
	}
	if len(names) == 0 {
		t.Fatal("README.md's Metrics section lists no metric")
	}
	return names
}

// codeLiterals is every string literal of the non-test Go files under internal/.
func codeLiterals(t *testing.T, root string) map[string]bool {
	t.Helper()
	lits := map[string]bool{}
	lit := regexp.MustCompile(`"([A-Za-z]+)"`)
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
			lits[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return lits
}

// TestAlarmsAndDashboardReadTheMetricsTheCodeWrites holds template.yaml and the README to
// the code: every metric an alarm or the dashboard reads is one the README lists and the
// code records, read with the Function of a function that writes metrics; and every metric
// the README lists is recorded.
func TestAlarmsAndDashboardReadTheMetricsTheCodeWrites(t *testing.T) {
	root, tmpl := repo(t)
	listed := readmeMetrics(t, root)
	lits := codeLiterals(t, root)
	functions := map[string]bool{}
	mains, _ := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	for _, m := range mains {
		src, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range regexp.MustCompile(`metrics\.Config\{[^}]*Function: "([a-z]+)"`).FindAllStringSubmatch(string(src), -1) {
			functions[f[1]] = true
		}
	}
	if len(functions) != len(mains) {
		t.Errorf("functions writing metrics %v, want each of the %d in functions/", functions, len(mains))
	}
	refs := metricsReferenced(t, tmpl)
	if len(refs) == 0 {
		t.Fatalf("template.yaml reads no metric of %s", namespace)
	}
	for name, fns := range refs {
		if !slices.Contains(listed, name) {
			t.Errorf("template.yaml reads %s, which the README's Metrics section does not list", name)
		}
		if !lits[name] {
			t.Errorf("template.yaml reads %s, which no code under internal/ names", name)
		}
		for _, fn := range fns {
			if fn != "" && !functions[fn] {
				t.Errorf("template.yaml reads %s of Function %q, which no function writes", name, fn)
			}
		}
	}
	for _, name := range listed {
		if !lits[name] {
			t.Errorf("the README lists %s, which no code under internal/ names", name)
		}
	}
}
