package slack_test

import (
	"context"
	"strings"
	"testing"

	"gatehouse/internal/dynamo/dynamotest"
)

// TestSlackInvitesAreTrueUnderFaults: an invite typed in Slack while DynamoDB fails gets a
// reply that matches what is stored — invited, or "try again" with nothing stored — and
// the command sent again (as Slack and people do) invites once.
func TestSlackInvitesAreTrueUnderFaults(t *testing.T) {
	for _, fault := range []dynamotest.Fault{dynamotest.Throttle, dynamotest.ServerError, dynamotest.Refuse, dynamotest.TimeoutAfter, dynamotest.ResetAfter} {
		t.Run(fault.String(), func(t *testing.T) {
			t.Parallel() // each fault gets a table and a server of its own
			b := newBench(t)
			b.env.Inject(dynamotest.First(15, fault, "TransactWriteItems"))
			first := b.say("invite jane@acme.com Jane")
			b.env.Inject(nil)
			invited := strings.Contains(first, "Invited Jane")
			switch n := len(b.pending()); {
			case invited && n != 1:
				t.Errorf("Slack was told %q but %d invitations are stored", first, n)
			case !invited && !strings.Contains(first, "try again"):
				t.Errorf("reply %q neither invites nor asks to try again", first)
			case !invited && n != 0 && fault != dynamotest.TimeoutAfter && fault != dynamotest.ResetAfter:
				t.Errorf("reply %q, but %d invitations are stored under a fault that never reaches DynamoDB", first, n)
			}
			again := b.say("invite jane@acme.com Jane")
			if !strings.Contains(again, "Invited Jane") && !strings.Contains(again, "already") {
				t.Errorf("the command again: %q", again)
			}
			if n := len(b.pending()); n != 1 {
				t.Errorf("%d invitations after the retry, want 1", n)
			}
			problems, err := b.env.Store.Verify(context.Background(), "acme", b.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}
