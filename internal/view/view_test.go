package view_test

import (
	"encoding/json"
	"testing"
	"time"

	"gatehouse/internal/org"
	"gatehouse/internal/view"
)

// orgMember is an active member who joined at a whole second.
func orgMember() org.Member {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	return org.Member{ID: "usr_1", Email: "ada@example.com", Role: org.RoleAdmin, Status: org.MemberActive, JoinedAt: at, UpdatedAt: at}
}

// Every time is written with one width: UTC, to the millisecond, whatever its zone and
// however many digits it has; and what is written reads back.
func TestTimesHaveMillisecondWidth(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	for _, tt := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), `"2026-12-01T10:00:00.000Z"`},
		{time.Date(2026, 12, 1, 10, 0, 0, 220_000_000, time.UTC), `"2026-12-01T10:00:00.220Z"`},
		{time.Date(2026, 12, 1, 10, 0, 0, 123_456_789, time.UTC), `"2026-12-01T10:00:00.123Z"`},
		{time.Date(2026, 12, 1, 11, 0, 0, 5_000_000, paris), `"2026-12-01T10:00:00.005Z"`},
	} {
		b, err := json.Marshal(view.At(tt.in))
		if err != nil || string(b) != tt.want {
			t.Errorf("marshal %v = %s, %v; want %s", tt.in, b, err, tt.want)
			continue
		}
		var back view.Time
		if err := json.Unmarshal(b, &back); err != nil || !back.Equal(tt.in.Truncate(time.Millisecond)) {
			t.Errorf("unmarshal %s = %v, %v; want %v", b, back, err, tt.in.Truncate(time.Millisecond))
		}
	}
	// Left out when zero, with omitzero; the resources use it for times they may not have.
	b, err := json.Marshal(view.OfMember(orgMember()))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["deactivatedAt"]; ok || m["joinedAt"] != "2026-12-01T10:00:00.000Z" {
		t.Errorf("member = %s, want joinedAt to the millisecond and no deactivatedAt", b)
	}
}
