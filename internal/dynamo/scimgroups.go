package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
	"gatehouse/internal/provision"
)

// scimGroupItem is a group SCIM pushed.
type scimGroupItem struct {
	key
	Type         string `dynamodbav:"type"`
	OrgID        string `dynamodbav:"orgId"`
	ID           string `dynamodbav:"id"`
	DisplayName  string `dynamodbav:"displayName"`
	ExternalID   string `dynamodbav:"externalId,omitempty"`
	Created      string `dynamodbav:"created"`
	LastModified string `dynamodbav:"lastModified"`
}

func (it scimGroupItem) domain() provision.Group {
	return provision.Group{OrgID: it.OrgID, ID: it.ID, DisplayName: it.DisplayName, ExternalID: it.ExternalID,
		Created: parseTime(it.Created), LastModified: parseTime(it.LastModified)}
}

// GetGroup reads one group.
func (s *SCIM) GetGroup(ctx context.Context, orgID, id string) (provision.Group, error) {
	var it scimGroupItem
	if err := s.t.get(ctx, orgPK(orgID), scimGroupSK(id), &it); err != nil {
		return provision.Group{}, err
	}
	return it.domain(), nil
}

// GroupByName finds a group by its display name, without regard to case.
func (s *SCIM) GroupByName(ctx context.Context, orgID, name string) (provision.Group, error) {
	var m scimMarkerItem
	if err := s.t.get(ctx, orgPK(orgID), scimGNameSK(name), &m); err != nil {
		return provision.Group{}, err
	}
	return s.GetGroup(ctx, orgID, m.Ref)
}

// PutGroup stores g over prev, moving its name marker (org.PartAddress: the name is taken).
func (s *SCIM) PutGroup(ctx context.Context, prev *provision.Group, g provision.Group) error {
	cond := notExists()
	old := ""
	if prev != nil {
		cond = expression.Name("lastModified").Equal(expression.Value(fmtTime(prev.LastModified)))
		old = prev.DisplayName
	}
	it := scimGroupItem{key: key{PK: orgPK(g.OrgID), SK: scimGroupSK(g.ID)}, Type: typeSCIMGroup, OrgID: g.OrgID, ID: g.ID,
		DisplayName: g.DisplayName, ExternalID: g.ExternalID, Created: fmtTime(g.Created), LastModified: fmtTime(g.LastModified)}
	x := s.t.newTx().put(org.PartRecord, it, &cond)
	moveMarker(x, g.OrgID, g.ID, scimGNameSK, old, g.DisplayName, prev == nil)
	return x.commit(ctx)
}

// DeleteGroup removes g, its name marker and every membership of it.
func (s *SCIM) DeleteGroup(ctx context.Context, g provision.Group) error {
	members, err := s.Members(ctx, g.OrgID, g.ID)
	if err != nil {
		return err
	}
	if err := s.SetMembers(ctx, g.OrgID, g.ID, nil, members); err != nil {
		return err
	}
	ours := expression.Name("ref").Equal(expression.Value(g.ID))
	return s.t.newTx().
		del(org.PartRecord, orgPK(g.OrgID), scimGroupSK(g.ID), expression.AttributeExists(expression.Name(attrPK))).
		del(org.PartRecord, orgPK(g.OrgID), scimGNameSK(g.DisplayName), ours).
		commit(ctx)
}

// ListGroups reads every group of the organization.
func (s *SCIM) ListGroups(ctx context.Context, orgID string) ([]provision.Group, error) {
	var out []provision.Group
	err := s.t.queryAll(ctx, orgID, prefixSCIMGroup, nil, func(item map[string]types.AttributeValue) error {
		var it scimGroupItem
		if err := decodeItem(item, &it); err != nil {
			return err
		}
		out = append(out, it.domain())
		return nil
	})
	return out, err
}

// scimMemberItem is one person in one group.
type scimMemberItem struct {
	key
	Type  string `dynamodbav:"type"`
	Group string `dynamodbav:"group"`
	User  string `dynamodbav:"user"`
}

// Members lists the people of a group, in the order of their ids.
func (s *SCIM) Members(ctx context.Context, orgID, groupID string) ([]string, error) {
	var out []string
	err := s.t.queryAll(ctx, orgID, prefixSCIMMember+groupID+"#", nil, func(item map[string]types.AttributeValue) error {
		var it scimMemberItem
		if err := decodeItem(item, &it); err != nil {
			return err
		}
		out = append(out, it.User)
		return nil
	})
	return out, err
}

// MemberOf says which of groupIDs each of people is in, reading every membership at once.
func (s *SCIM) MemberOf(ctx context.Context, orgID string, groupIDs, people []string) (map[string][]string, error) {
	keys := make([]map[string]types.AttributeValue, 0, len(groupIDs)*len(people))
	for _, g := range groupIDs {
		for _, p := range people {
			keys = append(keys, keyOf(orgPK(orgID), scimMemberSK(g, p)))
		}
	}
	items, err := s.t.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read memberships: %w", err)
	}
	out := make(map[string][]string, len(people))
	for _, raw := range items {
		var it scimMemberItem
		if err := decodeItem(raw, &it); err != nil {
			return nil, err
		}
		out[it.User] = append(out[it.User], it.Group)
	}
	return out, nil
}

// batchWriteLimit is the most writes DynamoDB takes in one BatchWriteItem.
const batchWriteLimit = 25

// SetMembers adds and removes memberships of a group, 25 writes per request, sending again
// whatever DynamoDB leaves unprocessed.
func (s *SCIM) SetMembers(ctx context.Context, orgID, groupID string, add, remove []string) error {
	reqs := make([]types.WriteRequest, 0, len(add)+len(remove))
	for _, u := range add {
		av, err := marshal(scimMemberItem{key: key{PK: orgPK(orgID), SK: scimMemberSK(groupID, u)}, Type: typeSCIMMember, Group: groupID, User: u})
		if err != nil {
			return err
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: av}})
	}
	for _, u := range remove {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: keyOf(orgPK(orgID), scimMemberSK(groupID, u))}})
	}
	for start := 0; start < len(reqs); start += batchWriteLimit {
		pending := map[string][]types.WriteRequest{s.t.name: reqs[start:min(start+batchWriteLimit, len(reqs))]}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt > maxTransientRetries {
				return fmt.Errorf("write group members: writes left unprocessed: %w", org.ErrUnavailable)
			}
			if attempt > 0 {
				if err := s.t.sleep(ctx, attempt-1); err != nil {
					return err
				}
			}
			out, err := s.t.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return fmt.Errorf("write group members: %w", err)
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}
