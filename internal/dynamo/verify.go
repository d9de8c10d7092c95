package dynamo

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// Verify reads every item of an organization and lists, in words, each way they disagree
// with the promises the store keeps: every address marker points at a live record of that
// address, and every live invitation and every member is what its address's marker points
// at (so no address has two live invitations or two members); every invitation has exactly
// one audit entry of its creation, and one of its acceptance or withdrawal when it has
// either; every token has one of its creation; an email waiting to be sent has exactly one
// outbox entry and an outbox entry belongs to an email waiting to be sent; the count of
// active admins kept on the organization is the number of its active admin members; the count
// of webhook endpoints is the number of its endpoints (an organization whose endpoints
// predate the count has none until one is next created or deleted). An empty list is a
// consistent organization. It reads at now, for telling expired invitations.
func (s *Store) Verify(ctx context.Context, orgID string, now time.Time) ([]string, error) {
	var (
		invitations = map[string]invitationItem{}
		members     = map[string]memberItem{}
		tokens      = map[string]bool{}
		markers     = map[string]emailItem{} // by address
		outbox      = map[string]int{}       // by invitation id
		audits      = map[string]int{}       // by action and target
		admins      = -1                     // the organization's count of active admins
		endpoints   = 0
		counted     = -1 // the organization's count of webhook endpoints
	)
	err := s.t.queryPartition(ctx, orgPK(orgID), "", nil, func(item map[string]types.AttributeValue) error {
		var k key
		if err := decodeItem(item, &k); err != nil {
			return err
		}
		switch {
		case k.SK == skOrg:
			var it orgItem
			if err := decodeItem(item, &it); err != nil {
				return err
			}
			admins = it.ActiveAdmins
		case strings.HasPrefix(k.SK, prefixInvitation):
			var it invitationItem
			if err := decodeItem(item, &it); err != nil {
				return err
			}
			invitations[it.ID] = it
		case strings.HasPrefix(k.SK, prefixMember):
			var it memberItem
			if err := decodeItem(item, &it); err != nil {
				return err
			}
			members[it.ID] = it
		case strings.HasPrefix(k.SK, prefixToken):
			tokens[strings.TrimPrefix(k.SK, prefixToken)] = true
		case strings.HasPrefix(k.SK, prefixEmail):
			var it emailItem
			if err := decodeItem(item, &it); err != nil {
				return err
			}
			markers[strings.TrimPrefix(k.SK, prefixEmail)] = it
		case strings.HasPrefix(k.SK, prefixOutbox):
			var it outboxItem
			if err := decodeItem(item, &it); err != nil {
				return err
			}
			outbox[it.InvitationID]++
		case strings.HasPrefix(k.SK, prefixWebhook):
			endpoints++
		case k.SK == skWebhookCount:
			var it endpointCountItem
			if err := decodeItem(item, &it); err != nil {
				return err
			}
			counted = it.Count
		case strings.HasPrefix(k.SK, prefixAudit):
			var it auditItem
			if err := decodeItem(item, &it); err != nil {
				return err
			}
			audits[it.Action+" "+it.TargetID]++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read organization %s: %w", orgID, err)
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	for email, m := range markers {
		switch m.Holder {
		case holderInvitation:
			inv, ok := invitations[m.Ref]
			switch {
			case !ok:
				add("the marker of %s points at invitation %s, which does not exist", email, m.Ref)
			case inv.Status != string(org.StatusPending):
				add("the marker of %s points at invitation %s, which is %s", email, m.Ref, inv.Status)
			case inv.Email != email:
				add("the marker of %s points at invitation %s, which is for %s", email, m.Ref, inv.Email)
			}
		case holderMember:
			mem, ok := members[m.Ref]
			switch {
			case !ok:
				add("the marker of %s points at member %s, who does not exist", email, m.Ref)
			case mem.Email != email:
				add("the marker of %s points at member %s, whose address is %s", email, m.Ref, mem.Email)
			}
		default:
			add("the marker of %s has an unknown holder %q", email, m.Holder)
		}
	}
	for id, inv := range invitations {
		live := inv.Status == string(org.StatusPending) && now.Before(parseTime(inv.ExpiresAt))
		if m, ok := markers[inv.Email]; live && (!ok || m.Holder != holderInvitation || m.Ref != id) {
			add("pending invitation %s for %s is not what its address's marker points at", id, inv.Email)
		}
		if n := audits[org.ActionInvited+" "+id]; n != 1 {
			add("invitation %s has %d audit entries of its creation, want 1", id, n)
		}
		switch {
		case live && (inv.Queue != expiryQueue(id) || inv.Due != inv.ExpiresAt):
			add("pending invitation %s is not due at its expiry %s (queue %q, due %q)", id, inv.ExpiresAt, inv.Queue, inv.Due)
		case inv.Status != string(org.StatusPending) && (inv.Queue != "" || inv.Due != ""):
			add("%s invitation %s is still due to expire (queue %q, due %q)", inv.Status, id, inv.Queue, inv.Due)
		}
		switch inv.Status {
		case string(org.StatusAccepted):
			if n := audits[org.ActionAccepted+" "+id]; n != 1 {
				add("accepted invitation %s has %d audit entries of its acceptance, want 1", id, n)
			}
		case string(org.StatusRevoked):
			if n := audits[org.ActionRevoked+" "+id]; n != 1 {
				add("withdrawn invitation %s has %d audit entries of its withdrawal, want 1", id, n)
			}
		}
		waiting := inv.DeliveryState == string(org.DeliveryQueued) || inv.DeliveryState == string(org.DeliverySending)
		if n := outbox[id]; waiting && inv.Status == string(org.StatusPending) && n != 1 {
			add("invitation %s waits to be emailed (%s) with %d outbox entries, want 1", id, inv.DeliveryState, n)
		}
	}
	for id := range outbox {
		if inv, ok := invitations[id]; !ok || (inv.DeliveryState != string(org.DeliveryQueued) && inv.DeliveryState != string(org.DeliverySending)) {
			add("outbox entry of invitation %s, which does not wait to be emailed", id)
		}
	}
	for id, mem := range members {
		if m, ok := markers[mem.Email]; !ok || m.Holder != holderMember || m.Ref != id {
			add("member %s (%s) is not what its address's marker points at", id, mem.Email)
		}
	}
	active := 0
	for _, mem := range members {
		if mem.Status == string(org.MemberActive) && mem.Role == string(org.RoleAdmin) {
			active++
		}
	}
	if admins >= 0 && admins != active {
		add("the organization counts %d active admins, and %d members are", admins, active)
	}
	if counted >= 0 && counted != endpoints {
		add("the organization counts %d webhook endpoints, and it has %d", counted, endpoints)
	}
	for id := range tokens {
		if n := audits[org.ActionTokenCreated+" "+id]; n != 1 {
			add("token %s has %d audit entries of its creation, want 1", id, n)
		}
	}
	sort.Strings(problems)
	return problems, nil
}
