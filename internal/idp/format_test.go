package idp

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want Format
		ok   bool
	}{
		{"", FormatAuto, true},
		{"auto", FormatAuto, true},
		{" Okta-CSV ", FormatOktaCSV, true},
		{"okta-json", FormatOktaJSON, true},
		{"entra-csv", FormatEntraCSV, true},
		{"entra-json", FormatEntraJSON, true},
		{"google-csv", FormatGoogleCSV, true},
		{"google-json", FormatGoogleJSON, true},
		{"scim", FormatSCIM, true},
		{"azure", "", false},
		{"okta", "", false},
	}
	for _, tt := range tests {
		got, err := ParseFormat(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && (!errors.Is(err, ErrUnknownFormat) || !strings.Contains(err.Error(), `"`+tt.in+`"`) ||
			!strings.Contains(err.Error(), "okta-csv, okta-json, entra-csv, entra-json, google-csv, google-json, scim")) {
			t.Errorf("ParseFormat(%q) error %q should name the value and every valid format", tt.in, err)
		}
	}
}

func TestDetectFixtures(t *testing.T) {
	tests := map[string]Format{
		"okta-group-members.csv":      FormatOktaCSV,
		"okta-truncated.csv":          FormatOktaCSV,
		"okta-short-last-row.csv":     FormatOktaCSV,
		"okta-header-only.csv":        FormatOktaCSV,
		"okta-users-1.json":           FormatOktaJSON,
		"okta-users-2.json":           FormatOktaJSON,
		"entra-users.csv":             FormatEntraCSV,
		"entra-members-1.json":        FormatEntraJSON,
		"entra-members-2.json":        FormatEntraJSON,
		"google-users.csv":            FormatGoogleCSV,
		"google-users-reordered.csv":  FormatGoogleCSV,
		"google-members.json":         FormatGoogleJSON,
		"google-members-partial.json": FormatGoogleJSON,
		"scim-users-1.json":           FormatSCIM,
		"scim-users-2.json":           FormatSCIM,
		"scim-group.json":             FormatSCIM,
	}
	files, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		want, ok := tests[name]
		if !ok && name != "empty.csv" && name != "unknown-header.csv" {
			t.Errorf("fixture %s has no expected format", name)
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Detect(data[:min(len(data), headSize)])
		if got != want || (err == nil) != ok {
			t.Errorf("Detect(%s) = %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestDetect(t *testing.T) {
	long := `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#directoryObjects","value":[` +
		strings.Repeat(`{"@odata.type":"#microsoft.graph.user","id":"1","mail":"a@contoso.com"},`, 200)
	tests := []struct {
		name     string
		head     string
		want     Format
		sentinel error
		words    []string
	}{
		{"okta csv unquoted", "User Id,Status,Username,First name,Last name,Primary email\n", FormatOktaCSV, nil, nil},
		{"entra csv with version line", "version:v1.0\nuserPrincipalName,displayName,id\n", FormatEntraCSV, nil, nil},
		{"entra csv with BOM", "\ufeffuserPrincipalName,displayName,surname,mail\r\n", FormatEntraCSV, nil, nil},
		{"google csv, email column last", "Status [READ ONLY],First Name [Required],Email Address [Required]\n", FormatGoogleCSV, nil, nil},
		{"graph page cut off inside value", long, FormatEntraJSON, nil, nil},
		{"empty okta array", " [ ] ", FormatOktaJSON, nil, nil},
		{"google page", `{"kind":"admin#directory#members","etag":"x"}`, FormatGoogleJSON, nil, nil},
		{"scim group", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"g"}`, FormatSCIM, nil, nil},
		{"scim list without schemas", `{"totalResults":0,"Resources":[]}`, FormatSCIM, nil, nil},
		{"empty", " \n", "", ErrEmpty, []string{"empty"}},
		{"unknown csv", "name,email\nAda,ada@example.com\n", "", ErrUnknownFormat, []string{`a first line of 2 cells`}},
		{"unknown json", `{"users":[]}`, "", ErrUnknownFormat, []string{`whose 1 top-level keys are none of`}},
		{"array of strings", `["a@example.com"]`, "", ErrUnknownFormat, []string{"not of objects"}},
		{"array without profiles", `[{"email":"a@example.com"}]`, "", ErrUnknownFormat, []string{"no Okta profile"}},
		{"utf-16", "\xff\xfeU\x00s\x00", "", ErrUnknownFormat, []string{"UTF-16", "UTF-8"}},
		{"xlsx", "PK\x03\x04\x14\x00", "", ErrUnknownFormat, []string{"spreadsheet", "CSV"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Detect([]byte(tt.head))
			if got != tt.want {
				t.Errorf("Detect = %q, %v; want %q", got, err, tt.want)
			}
			if tt.sentinel == nil {
				if err != nil {
					t.Errorf("Detect error: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.sentinel) {
				t.Errorf("Detect error %v, want %v", err, tt.sentinel)
			}
			for _, w := range tt.words {
				if err != nil && !strings.Contains(err.Error(), w) {
					t.Errorf("Detect error %q does not say %q", err, w)
				}
			}
		})
	}
}
