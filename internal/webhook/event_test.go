package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/org"
)

func TestEventTypes(t *testing.T) {
	want := []string{
		"invitation.created", "invitation.resent", "invitation.revoked", "invitation.accepted",
		"invitation.expired", "invitation.email_sent", "invitation.email_failed",
		"invitation.bounced", "invitation.renamed", "invitation.role_changed", "member.role_changed",
		"member.deactivated", "member.reactivated", "member.updated", "sync.run.applied",
		"sync.run.held", "sync.run.failed", "scim.user.provisioned", "scim.user.deprovisioned", "webhook.test",
	}
	got := EventTypes()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EventTypes mismatch (-want +got):\n%s", diff)
	}
	got[0] = "changed"
	if EventTypes()[0] != "invitation.created" || KnownEvent("changed") {
		t.Error("changing the returned slice changed the event types")
	}
}

func TestEveryEventTypeIsDescribed(t *testing.T) {
	docs := EventDocs()
	types := make([]string, len(docs))
	for i, d := range docs {
		types[i] = d.Type
		if len(d.Description) < 10 || !strings.HasSuffix(d.Description, ".") || strings.ToUpper(d.Description[:1]) != d.Description[:1] {
			t.Errorf("%s is described as %q, want a sentence", d.Type, d.Description)
		}
	}
	if diff := cmp.Diff(EventTypes(), types); diff != "" {
		t.Errorf("EventDocs' types mismatch (-EventTypes +EventDocs):\n%s", diff)
	}
	docs[0].Type = "changed"
	if EventDocs()[0].Type != "invitation.created" {
		t.Error("changing the returned slice changed the event descriptions")
	}
}

func TestValidEventsAccepts(t *testing.T) {
	for _, events := range [][]string{
		{"*"},
		{"invitation.accepted", "member.deactivated"},
		{"webhook.test"},
		EventTypes(),
	} {
		if err := ValidEvents(events); err != nil {
			t.Errorf("ValidEvents(%q) = %v", events, err)
		}
	}
}

func TestValidEventsRefuses(t *testing.T) {
	type problem struct{ Field, Code, Says string }
	cases := []struct {
		name   string
		events []string
		want   []problem
	}{
		{"nil", nil, []problem{{"events", "required", "at least one"}}},
		{"empty", []string{}, []problem{{"events", "required", "at least one"}}},
		{"unknown", []string{"invitation.created", "member.deactivated", "invitation.create"},
			[]problem{{"events[2]", "unknown_event", `"invitation.create" is not an event type`}}},
		{"empty entry", []string{"invitation.created", ""}, []problem{{"events[1]", "unknown_event", "must not be empty"}}},
		{"star with others", []string{"invitation.created", "*"}, []problem{{"events[1]", "invalid_events", "only entry"}}},
		{"star first with others", []string{"*", "member.deactivated"}, []problem{{"events[0]", "invalid_events", "only entry"}}},
		{"star twice", []string{"*", "*"}, []problem{
			{"events[0]", "invalid_events", "only entry"},
			{"events[1]", "duplicate_event", "at events[0] and here"},
		}},
		{"duplicate", []string{"member.deactivated", "invitation.created", "member.deactivated"},
			[]problem{{"events[2]", "duplicate_event", `"member.deactivated" is listed twice, at events[0]`}}},
		{"case matters", []string{"Invitation.Created"}, []problem{{"events[0]", "unknown_event", "not an event type"}}},
		{"every problem at once", []string{"x", "invitation.created", "invitation.created", "*"}, []problem{
			{"events[0]", "unknown_event", `"x"`},
			{"events[2]", "duplicate_event", "listed twice"},
			{"events[3]", "invalid_events", "only entry"},
		}},
		{"long name cut", []string{strings.Repeat("a", 500)}, []problem{{"events[0]", "unknown_event", strings.Repeat("a", 64) + `"…`}}},
		{"too many", make([]string, 101), []problem{{"events", "too_many", "at most 100"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidEvents(tc.events)
			var verr *org.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("ValidEvents(%q) = %v, want an *org.ValidationError", tc.events, err)
			}
			type place struct{ Field, Code string }
			var wantPlaces, gotPlaces []place
			for _, p := range tc.want {
				wantPlaces = append(wantPlaces, place{p.Field, p.Code})
			}
			for _, f := range verr.Fields {
				gotPlaces = append(gotPlaces, place{f.Field, f.Code})
			}
			if diff := cmp.Diff(wantPlaces, gotPlaces); diff != "" {
				t.Fatalf("problems mismatch (-want +got):\n%s", diff)
			}
			for i, p := range tc.want {
				if !strings.Contains(verr.Fields[i].Message, p.Says) {
					t.Errorf("%s: message %q does not say %q", p.Field, verr.Fields[i].Message, p.Says)
				}
			}
		})
	}
}

func TestSubscribed(t *testing.T) {
	cases := []struct {
		events    []string
		eventType string
		want      bool
	}{
		{[]string{"*"}, "invitation.accepted", true},
		{[]string{"*"}, "webhook.test", true},
		{[]string{"*"}, "no.such.event", false},
		{[]string{"invitation.accepted", "member.deactivated"}, "member.deactivated", true},
		{[]string{"invitation.accepted", "member.deactivated"}, "member.reactivated", false},
		{[]string{"invitation.accepted"}, "invitation", false},
		{nil, "invitation.accepted", false},
	}
	for _, tc := range cases {
		if got := Subscribed(tc.events, tc.eventType); got != tc.want {
			t.Errorf("Subscribed(%q, %q) = %v, want %v", tc.events, tc.eventType, got, tc.want)
		}
	}
}

func TestPayload(t *testing.T) {
	at := time.Date(2026, 3, 14, 15, 9, 26, 535_897_000, time.FixedZone("CET", 3600))
	type member struct {
		ID   string `json:"id"`
		Role string `json:"role"`
	}
	cases := []struct {
		name string
		data any
		want string
	}{
		{"struct", member{ID: "m_1", Role: "admin"},
			`{"type":"member.role_changed","timestamp":"2026-03-14T14:09:26.535Z","data":{"id":"m_1","role":"admin"}}`},
		{"map", map[string]any{"b": 2, "a": "<&>"},
			`{"type":"member.role_changed","timestamp":"2026-03-14T14:09:26.535Z","data":{"a":"\u003c\u0026\u003e","b":2}}`},
		{"nil", nil, `{"type":"member.role_changed","timestamp":"2026-03-14T14:09:26.535Z","data":{}}`},
		{"nil pointer", (*member)(nil), `{"type":"member.role_changed","timestamp":"2026-03-14T14:09:26.535Z","data":{}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Payload(EventMemberRoleChanged, at, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("Payload =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	whole, err := Payload(EventTest, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), nil)
	if err != nil || !strings.Contains(string(whole), `"timestamp":"2026-01-02T03:04:05.000Z"`) {
		t.Errorf("Payload on a whole second = %s, %v: want three digits of milliseconds", whole, err)
	}
}

func TestPayloadRefuses(t *testing.T) {
	at := time.Now()
	cases := []struct {
		name, eventType string
		data            any
		want            string
	}{
		{"unknown type", "member.renamed", nil, `"member.renamed" is not an event type`},
		{"empty type", "", nil, `"" is not an event type`},
		{"array data", EventTest, []string{"a"}, "must be a JSON object, not an array"},
		{"string data", EventTest, "hello", "not a string"},
		{"number data", EventTest, 42, "not a number"},
		{"boolean data", EventTest, true, "not a boolean"},
		{"unmarshalable data", EventTest, map[string]any{"c": make(chan int)}, "marshal data"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Payload(tc.eventType, at, tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Payload = %s, %v; want an error saying %q", b, err, tc.want)
			}
		})
	}
}
