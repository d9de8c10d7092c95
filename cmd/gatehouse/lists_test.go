package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"gatehouse/internal/view"
)

func TestListAndAuditCommandsAgainstTheDevStack(t *testing.T) {
	t.Parallel() // its own dev stack
	const token = "ghk_Y2xpLWxpc3RzLXRlc3QtdG9rZW4tZm9yLXRoZS1kZXY"
	api, _ := devStack(t, token)
	vars := map[string]string{"GATEHOUSE_API": api + "/api/v1", "GATEHOUSE_TOKEN": token}
	start := time.Now().UTC()

	// 130 invitations without email (so that no mailer writes to the log meanwhile): two
	// pages of a list.
	rows := make([]string, 130)
	for i := range rows {
		rows[i] = fmt.Sprintf(`{"email":"list%03d@example.com","name":"List %d","sendEmail":false}`, i, i)
	}
	if status, raw := apiCall(t, api, token, http.MethodPost, "/api/v1/invitations/bulk", `{"invitations":[`+strings.Join(rows, ",")+`]}`); status != http.StatusOK {
		t.Fatalf("seed: %d %s", status, raw)
	}
	mid := time.Now().UTC()

	code, stdout, stderr := cliRun(t.Context(), vars, "invitations", "list", "--json")
	var invs []view.Invitation
	if err := json.Unmarshal([]byte(stdout), &invs); code != exitOK || err != nil || len(invs) != 130 {
		t.Fatalf("invitations list --json: exit %d, %d invitations, %v; stderr %s", code, len(invs), err, stderr)
	}
	if invs[0].Email != "list129@example.com" || invs[129].Email != "list000@example.com" {
		t.Errorf("not newest first across the pages: %s … %s", invs[0].Email, invs[129].Email)
	}

	code, stdout, stderr = cliRun(t.Context(), vars, "invitations", "revoke", invs[0].ID, "inv_01NOSUCHINVITATION0000000", invs[1].ID, "--json")
	var revoked []view.Invitation
	if err := json.Unmarshal([]byte(stdout), &revoked); err != nil || len(revoked) != 2 || revoked[0].Status != "revoked" || revoked[1].ID != invs[1].ID {
		t.Errorf("revoke printed %s (%v)", stdout, err)
	}
	if code != exitFailed || stderr != "gatehouse: revoke invitation inv_01NOSUCHINVITATION0000000: not_found: no such item in your organization\n" {
		t.Errorf("revoke of one unknown: exit %d, stderr %q; want exit 1 and the one error", code, stderr)
	}

	code, stdout, stderr = cliRun(t.Context(), vars, "invitations", "resend", invs[2].ID)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != exitOK || len(lines) != 2 || !strings.HasPrefix(lines[0], "ID ") || !strings.Contains(lines[1], invs[2].ID) ||
		!strings.Contains(lines[1], "/invitations/accept?token=") || stderr != "" {
		t.Errorf("resend: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	code, stdout, _ = cliRun(t.Context(), vars, "invitations", "list", "--status", "revoked", "--csv")
	got, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil || code != exitOK {
		t.Fatalf("list --csv: exit %d, %v", code, err)
	}
	want := [][]string{
		{"id", "email", "name", "role", "status", "delivery", "created", "expires"},
		{invs[0].ID, invs[0].Email, invs[0].Name, "member", "revoked", "disabled", day(invs[0].CreatedAt.Time), day(invs[0].ExpiresAt.Time)},
		{invs[1].ID, invs[1].Email, invs[1].Name, "member", "revoked", "disabled", day(invs[1].CreatedAt.Time), day(invs[1].ExpiresAt.Time)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("revoked invitations mismatch (-want +got):\n%s", diff)
	}

	code, stdout, _ = cliRun(t.Context(), vars, "invitations", "list")
	if lines := strings.Split(strings.TrimSpace(stdout), "\n"); code != exitOK || len(lines) != 131 || !strings.HasPrefix(lines[0], "ID  ") {
		t.Errorf("invitations list: exit %d, %d lines (want a heading and 130)", code, len(lines))
	}
	code, stdout, _ = cliRun(t.Context(), vars, "members", "list")
	if lines := strings.Split(strings.TrimSpace(stdout), "\n"); code != exitOK || len(lines) != 2 || !strings.Contains(lines[1], "admin@demo.example") {
		t.Errorf("members list: exit %d\n%s", code, stdout)
	}

	// The audit log: everything since the test began, and what followed the seed alone.
	code, stdout, stderr = cliRun(t.Context(), vars, "audit", "export", "--since", start.Format(time.DateOnly))
	var entries []view.AuditEntry
	dec := json.NewDecoder(strings.NewReader(stdout))
	for dec.More() {
		var a view.AuditEntry
		if err := dec.Decode(&a); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, a)
	}
	actions := map[string]int{}
	for i, a := range entries {
		actions[a.Action]++
		if i > 0 && a.ID > entries[i-1].ID {
			t.Errorf("entry %d is newer than the one before it", i)
		}
	}
	if code != exitOK || actions["invitation.created"] != 130 || actions["invitation.revoked"] != 2 || actions["invitation.resent"] != 1 ||
		!strings.HasPrefix(stderr, fmt.Sprintf("exported %d audit entries from %s", len(entries), start.Format(time.DateOnly))) {
		t.Errorf("audit export: exit %d, actions %v, stderr %q", code, actions, stderr)
	}
	code, stdout, _ = cliRun(t.Context(), vars, "audit", "export", "--since", mid.Format(time.RFC3339Nano), "--format", "csv")
	got, err = csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil || code != exitOK || len(got) != 4 {
		t.Fatalf("audit export --since the seed --format csv: exit %d, %v:\n%s", code, err, stdout)
	}
	if got[0][0] != "id" || got[1][2] != "invitation.resent" || got[3][2] != "invitation.revoked" || got[3][8] != invs[0].ID ||
		got[3][9] != `{"email":"`+invs[0].Email+`"}` || got[3][5] != "Demo Admin" {
		t.Errorf("audit csv:\n%s", stdout)
	}
	yesterday := start.AddDate(0, 0, -1).Format(time.DateOnly)
	code, stdout, _ = cliRun(t.Context(), vars, "audit", "export", "--since", yesterday, "--until", yesterday)
	if code != exitOK || stdout != "" {
		t.Errorf("audit export of yesterday: exit %d, %q", code, stdout)
	}
}
