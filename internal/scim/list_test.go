package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/scim"
)

// seedUsers creates n users user0@example.com… through the backend directly.
func seedUsers(t testing.TB, backend *fakeBackend, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		addr := fmt.Sprintf("user%d@example.com", i)
		u, err := backend.CreateUser(context.Background(), scim.User{UserName: addr, Email: addr, ExternalID: fmt.Sprint("ext", i), Active: true})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = u.ID
	}
	return ids
}

// page is the part of a list answer the paging tests look at.
type page struct {
	Total, Start, PerPage int
	IDs                   []string
}

func getPage(t *testing.T, backend *fakeBackend, path string) page {
	t.Helper()
	rec := call(t, mount(t, backend, nil), "GET", path, "", "")
	if rec.Code != 200 {
		t.Fatalf("GET %s: status %d: %s", path, rec.Code, rec.Body)
	}
	var body struct {
		Schemas      []string `json:"schemas"`
		TotalResults *int     `json:"totalResults"`
		StartIndex   *int     `json:"startIndex"`
		ItemsPerPage *int     `json:"itemsPerPage"`
		Resources    []struct {
			ID string `json:"id"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.TotalResults == nil || body.StartIndex == nil || body.ItemsPerPage == nil || body.Resources == nil {
		t.Fatalf("GET %s: list answer lacks a field: %s", path, rec.Body)
	}
	p := page{Total: *body.TotalResults, Start: *body.StartIndex, PerPage: *body.ItemsPerPage, IDs: []string{}}
	for _, r := range body.Resources {
		p.IDs = append(p.IDs, r.ID)
	}
	return p
}

func TestListPaging(t *testing.T) {
	backend := newFake()
	ids := seedUsers(t, backend, 150)
	tests := []struct {
		query string
		want  page
	}{
		{"", page{150, 1, 100, ids[:100]}},
		{"?startIndex=1&count=10", page{150, 1, 10, ids[:10]}},
		{"?startIndex=11&count=10", page{150, 11, 10, ids[10:20]}},
		{"?count=1000", page{150, 1, 100, ids[:100]}},
		{"?count=99999999999999999999", page{150, 1, 100, ids[:100]}},
		{"?count=0", page{150, 1, 0, []string{}}},
		{"?count=-5", page{150, 1, 0, []string{}}},
		{"?startIndex=0&count=2", page{150, 1, 2, ids[:2]}},
		{"?startIndex=-3&count=2", page{150, 1, 2, ids[:2]}},
		{"?startIndex=-99999999999999999999&count=2", page{150, 1, 2, ids[:2]}},
		{"?startIndex=149&count=10", page{150, 149, 2, ids[148:]}},
		{"?startIndex=151", page{150, 151, 0, []string{}}},
		{"?startIndex=99999999999999999999", page{150, 1 << 30, 0, []string{}}},
		{"?filter=" + url.QueryEscape(`userName eq "USER7@example.com"`), page{1, 1, 1, ids[7:8]}},
		{"?filter=" + url.QueryEscape(`userName eq "user7@example.com"`) + "&count=0", page{1, 1, 0, []string{}}},
		{"?filter=" + url.QueryEscape(`userName eq "nobody@example.com"`), page{0, 1, 0, []string{}}},
		{"?filter=" + url.QueryEscape(`externalId eq "ext9"`), page{1, 1, 1, ids[9:10]}},
		{"?filter=" + url.QueryEscape(`emails[type eq "work"].value eq "User9@Example.com"`), page{1, 1, 1, ids[9:10]}},
		{"?filter=" + url.QueryEscape(`id eq "`+ids[3]+`"`), page{1, 1, 1, ids[3:4]}},
		{"?filter=" + url.QueryEscape(`userName eq "user7@example.com" and externalId eq "ext8"`), page{0, 1, 0, []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, getPage(t, backend, "/Users"+tt.query)); diff != "" {
				t.Errorf("page mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestListStableOrder pages through every user with a small count: each appears once, in
// the same order as one large page, and asking again gives the same pages.
func TestListStableOrder(t *testing.T) {
	backend := newFake()
	ids := seedUsers(t, backend, 40)
	for round := range 2 {
		var got []string
		for start := 1; start <= 40; start += 7 {
			got = append(got, getPage(t, backend, fmt.Sprintf("/Users?startIndex=%d&count=7", start)).IDs...)
		}
		if diff := cmp.Diff(ids, got); diff != "" {
			t.Errorf("round %d: order mismatch (-want +got):\n%s", round, diff)
		}
	}
}

// TestFiltersTheBackendNeverSees: a filter nobody can match is answered without the
// backend, and a refused filter or page never reaches it either.
func TestFiltersTheBackendNeverSees(t *testing.T) {
	backend := newFake()
	seedUsers(t, backend, 3)
	h := mount(t, backend, nil)
	for _, filter := range []string{`userName eq "a" and userName eq "b"`, `userName eq ""`} {
		if p := getPage(t, backend, "/Users?filter="+url.QueryEscape(filter)); p.Total != 0 {
			t.Errorf("%s: total %d", filter, p.Total)
		}
	}
	for _, filter := range []string{`userName co "user"`, `userName eq "a" or userName pr`, `title eq "x"`, `userName eq "unbalanced`, `)(`} {
		rec := call(t, h, "GET", "/Users?filter="+url.QueryEscape(filter), "", "")
		if rec.Code != 400 {
			t.Fatalf("%s: status %d: %s", filter, rec.Code, rec.Body)
		}
		if _, scimType, _ := scimError(t, rec); scimType != "invalidFilter" {
			t.Errorf("%s: scimType %q", filter, scimType)
		}
	}
	for _, query := range []string{"?count=ten", "?startIndex=1.5", "?count=0x10"} {
		rec := call(t, h, "GET", "/Users"+query, "", "")
		if _, scimType, _ := scimError(t, rec); rec.Code != 400 || scimType != "invalidValue" {
			t.Errorf("%s: %d %q", query, rec.Code, scimType)
		}
	}
	if n := backend.callCount("ListUsers"); n != 0 {
		t.Errorf("the backend was asked %d times", n)
	}
}

func TestListGroupsPagingAndMembers(t *testing.T) {
	backend := newFake()
	users := seedUsers(t, backend, 2)
	var groups []string
	for i := range 5 {
		g, err := backend.CreateGroup(context.Background(), scim.Group{DisplayName: fmt.Sprint("Group ", i), Members: []scim.Member{{Value: users[i%2]}}})
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, g.ID)
	}
	tests := []struct {
		query string
		want  page
	}{
		{"?startIndex=2&count=2", page{5, 2, 2, groups[1:3]}},
		{"?filter=" + url.QueryEscape(`displayName eq "group 3"`), page{1, 1, 1, groups[3:4]}},
		{"?filter=" + url.QueryEscape(`members eq "`+users[1]+`"`), page{2, 1, 2, []string{groups[1], groups[3]}}},
		{"?filter=" + url.QueryEscape(`id eq "`+groups[0]+`" and members eq "`+users[1]+`"`) + "&attributes=id", page{0, 1, 0, []string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, getPage(t, backend, "/Groups"+tt.query)); diff != "" {
				t.Errorf("page mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
