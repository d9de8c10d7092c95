package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
	"gatehouse/internal/provision"
)

// SCIM keeps SCIM provisioning's settings, profiles, groups and deactivation window. It
// implements provision.Store.
type SCIM struct{ t *table }

var _ provision.Store = (*SCIM)(nil)

type mappingAttr struct {
	Group string `dynamodbav:"group"`
	Role  string `dynamodbav:"role"`
}

// scimConfigItem is an organization's SCIM settings and status.
type scimConfigItem struct {
	key
	Type           string        `dynamodbav:"type"`
	OrgID          string        `dynamodbav:"orgId"`
	TokenID        string        `dynamodbav:"tokenId,omitempty"`
	TokenHash      string        `dynamodbav:"tokenHash,omitempty"`
	TokenHint      string        `dynamodbav:"tokenHint,omitempty"`
	TokenCreatedAt string        `dynamodbav:"tokenCreatedAt,omitempty"`
	DefaultRole    string        `dynamodbav:"defaultRole"`
	SendEmail      bool          `dynamodbav:"sendEmail"`
	Mappings       []mappingAttr `dynamodbav:"roleMappings,omitempty"`
	HoldShare      float64       `dynamodbav:"holdShare"`
	HoldFloor      int           `dynamodbav:"holdFloor"`
	HoldWindowMs   int64         `dynamodbav:"holdWindowMs"`
	HeldRun        string        `dynamodbav:"heldRun,omitempty"`
	People         int           `dynamodbav:"people"`
	LastRequestAt  string        `dynamodbav:"lastRequestAt,omitempty"`
	UpdatedAt      string        `dynamodbav:"updatedAt"`
	UpdatedBy      actorAttr     `dynamodbav:"updatedBy"`
}

func (it scimConfigItem) domain() provision.Config {
	c := provision.Config{
		OrgID: it.OrgID, TokenID: it.TokenID, TokenHash: it.TokenHash, TokenHint: it.TokenHint,
		TokenCreatedAt: parseTime(it.TokenCreatedAt), DefaultRole: org.Role(it.DefaultRole), SendEmail: it.SendEmail,
		Hold:    provision.Hold{Share: it.HoldShare, Floor: it.HoldFloor, Window: time.Duration(it.HoldWindowMs) * time.Millisecond},
		HeldRun: it.HeldRun, People: it.People, LastRequestAt: parseTime(it.LastRequestAt),
		UpdatedAt: parseTime(it.UpdatedAt), UpdatedBy: it.UpdatedBy.domain(),
	}
	for _, m := range it.Mappings {
		c.RoleMappings = append(c.RoleMappings, org.RoleMapping{Group: m.Group, Role: org.Role(m.Role)})
	}
	return c
}

// GetConfig reads an organization's SCIM settings.
func (s *SCIM) GetConfig(ctx context.Context, orgID string) (provision.Config, error) {
	var it scimConfigItem
	if err := s.t.get(ctx, orgPK(orgID), skSCIM, &it); err != nil {
		return provision.Config{}, err
	}
	return it.domain(), nil
}

// scimTokenItem names the organization of a SCIM token.
type scimTokenItem struct {
	key
	Type  string `dynamodbav:"type"`
	OrgID string `dynamodbav:"orgId"`
}

// ConfigByTokenHash finds the settings whose token hashes to hash; errors never show it.
func (s *SCIM) ConfigByTokenHash(ctx context.Context, hash string) (provision.Config, error) {
	var it scimTokenItem
	err := s.t.get(ctx, scimTokenPK(hash), skSCIMToken, &it)
	switch {
	case errors.Is(err, org.ErrNotFound):
		return provision.Config{}, fmt.Errorf("scim token: %w", org.ErrNotFound)
	case err != nil:
		return provision.Config{}, fmt.Errorf("read scim token by its hash: %w", unwrapAll(err))
	}
	c, err := s.GetConfig(ctx, it.OrgID)
	if err == nil && c.TokenHash != hash {
		return provision.Config{}, fmt.Errorf("scim token replaced: %w", org.ErrNotFound)
	}
	return c, err
}

// PutConfig stores c's settings and token in place of prev's, leaving the status alone.
func (s *SCIM) PutConfig(ctx context.Context, prev *provision.Config, c provision.Config, audit org.AuditEntry) error {
	mappings := make([]mappingAttr, len(c.RoleMappings))
	for i, m := range c.RoleMappings {
		mappings[i] = mappingAttr{Group: m.Group, Role: string(m.Role)}
	}
	var stored any = &types.AttributeValueMemberNULL{Value: true}
	if len(mappings) > 0 {
		stored = mappings
	}
	upd := expression.Set(expression.Name("type"), expression.Value(typeSCIM)).
		Set(expression.Name("orgId"), expression.Value(c.OrgID)).
		Set(expression.Name("tokenId"), expression.Value(c.TokenID)).
		Set(expression.Name("tokenHash"), expression.Value(c.TokenHash)).
		Set(expression.Name("tokenHint"), expression.Value(c.TokenHint)).
		Set(expression.Name("tokenCreatedAt"), expression.Value(fmtTime(c.TokenCreatedAt))).
		Set(expression.Name("defaultRole"), expression.Value(string(c.DefaultRole))).
		Set(expression.Name("sendEmail"), expression.Value(c.SendEmail)).
		Set(expression.Name("roleMappings"), expression.Value(stored)).
		Set(expression.Name("holdShare"), expression.Value(c.Hold.Share)).
		Set(expression.Name("holdFloor"), expression.Value(c.Hold.Floor)).
		Set(expression.Name("holdWindowMs"), expression.Value(c.Hold.Window.Milliseconds())).
		Set(expression.Name("updatedAt"), expression.Value(fmtTime(c.UpdatedAt))).
		Set(expression.Name("updatedBy"), expression.Value(toActorAttr(c.UpdatedBy))).
		Set(expression.Name("people"), expression.IfNotExists(expression.Name("people"), expression.Value(0)))
	same := notExists()
	oldHash := ""
	if prev != nil {
		same = expression.Name("updatedAt").Equal(expression.Value(fmtTime(prev.UpdatedAt)))
		oldHash = prev.TokenHash
	}
	x := s.t.newTx().update(org.PartRecord, orgPK(c.OrgID), skSCIM, upd, same).audit(audit)
	if c.TokenHash != oldHash {
		if oldHash != "" {
			x.del(org.PartRecord, scimTokenPK(oldHash), skSCIMToken, expression.Name("orgId").Equal(expression.Value(c.OrgID)))
		}
		if c.TokenHash != "" {
			x.putNew(org.PartRecord, scimTokenItem{key: key{PK: scimTokenPK(c.TokenHash), SK: skSCIMToken}, Type: typeSCIMToken, OrgID: c.OrgID})
		}
	}
	return x.commit(ctx)
}

// DeleteConfig removes the settings and the token's lookup.
func (s *SCIM) DeleteConfig(ctx context.Context, c provision.Config, audit org.AuditEntry) error {
	x := s.t.newTx().del(org.PartRecord, orgPK(c.OrgID), skSCIM, expression.AttributeExists(expression.Name(attrPK))).audit(audit)
	if c.TokenHash != "" {
		x.del(org.PartRecord, scimTokenPK(c.TokenHash), skSCIMToken, expression.Name("orgId").Equal(expression.Value(c.OrgID)))
	}
	return x.commit(ctx)
}

// TouchConfig records a request's time and raises the count of people by delta.
func (s *SCIM) TouchConfig(ctx context.Context, orgID string, at time.Time, delta int) error {
	upd := expression.Set(expression.Name("lastRequestAt"), expression.Value(fmtTime(at)))
	if delta != 0 {
		upd = upd.Add(expression.Name("people"), expression.Value(delta))
	}
	return s.updateOne(ctx, orgPK(orgID), skSCIM, upd, expression.AttributeExists(expression.Name(attrPK)))
}

// SetHeldRun names the run collecting held deactivations, if the settings still name prev.
func (s *SCIM) SetHeldRun(ctx context.Context, orgID, prev, next string) error {
	cond := expression.Name("heldRun").Equal(expression.Value(prev))
	if prev == "" {
		cond = expression.AttributeNotExists(expression.Name("heldRun")).Or(cond)
	}
	return s.updateOne(ctx, orgPK(orgID), skSCIM, expression.Set(expression.Name("heldRun"), expression.Value(next)), cond)
}

// updateOne is one conditional UpdateItem; a failed condition is a refused org.PartRecord.
func (s *SCIM) updateOne(ctx context.Context, pk, sk string, upd expression.UpdateBuilder, cond expression.ConditionBuilder) error {
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("build update: %w", err)
	}
	_, err = s.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.t.name, Key: keyOf(pk, sk), UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return &org.ConflictError{Parts: []org.Part{org.PartRecord}}
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", keyText(pk, sk), err)
	}
	return nil
}

// scimProfileItem is a SCIM person's profile.
type scimProfileItem struct {
	key
	Type         string `dynamodbav:"type"`
	OrgID        string `dynamodbav:"orgId"`
	ID           string `dynamodbav:"id"`
	Ref          string `dynamodbav:"ref"`
	UserName     string `dynamodbav:"userName"`
	ExternalID   string `dynamodbav:"externalId,omitempty"`
	GivenName    string `dynamodbav:"givenName,omitempty"`
	FamilyName   string `dynamodbav:"familyName,omitempty"`
	DisplayName  string `dynamodbav:"displayName,omitempty"`
	Email        string `dynamodbav:"requestedEmail,omitempty"`
	HeldInactive bool   `dynamodbav:"heldInactive"`
	Withdrawn    bool   `dynamodbav:"withdrawn,omitempty"`
	Created      string `dynamodbav:"created"`
	LastModified string `dynamodbav:"lastModified"`
}

func toProfileItem(p provision.Profile) scimProfileItem {
	return scimProfileItem{key: key{PK: orgPK(p.OrgID), SK: scimUserSK(p.ID)}, Type: typeSCIMUser, OrgID: p.OrgID, ID: p.ID,
		Ref: p.Ref, UserName: p.UserName, ExternalID: p.ExternalID, GivenName: p.GivenName, FamilyName: p.FamilyName,
		DisplayName: p.DisplayName, Email: p.Email, HeldInactive: p.HeldInactive, Withdrawn: p.Withdrawn, Created: fmtTime(p.Created), LastModified: fmtTime(p.LastModified)}
}

func (it scimProfileItem) domain() provision.Profile {
	return provision.Profile{OrgID: it.OrgID, ID: it.ID, Ref: it.Ref, UserName: it.UserName, ExternalID: it.ExternalID,
		GivenName: it.GivenName, FamilyName: it.FamilyName, DisplayName: it.DisplayName, Email: it.Email, HeldInactive: it.HeldInactive, Withdrawn: it.Withdrawn,
		Created: parseTime(it.Created), LastModified: parseTime(it.LastModified)}
}

// scimMarkerItem says which profile or group holds a unique attribute.
type scimMarkerItem struct {
	key
	Type string `dynamodbav:"type"`
	Ref  string `dynamodbav:"ref"`
}

// GetProfile reads one profile.
func (s *SCIM) GetProfile(ctx context.Context, orgID, id string) (provision.Profile, error) {
	var it scimProfileItem
	if err := s.t.get(ctx, orgPK(orgID), scimUserSK(id), &it); err != nil {
		return provision.Profile{}, err
	}
	return it.domain(), nil
}

// byMarker reads the profile a marker names.
func (s *SCIM) byMarker(ctx context.Context, orgID, sk string) (provision.Profile, error) {
	var m scimMarkerItem
	if err := s.t.get(ctx, orgPK(orgID), sk, &m); err != nil {
		return provision.Profile{}, err
	}
	return s.GetProfile(ctx, orgID, m.Ref)
}

// ProfileByUserName finds the profile holding userName (compared without case).
func (s *SCIM) ProfileByUserName(ctx context.Context, orgID, userName string) (provision.Profile, error) {
	return s.byMarker(ctx, orgID, scimNameSK(userName))
}

// ProfileByExternalID finds the profile holding an identity-provider id.
func (s *SCIM) ProfileByExternalID(ctx context.Context, orgID, ext string) (provision.Profile, error) {
	return s.byMarker(ctx, orgID, scimExtSK(ext))
}

// ProfileByRef finds the profile that account (an invitation's or a member's id) stands or
// stood for, other than the one the profile is named after.
func (s *SCIM) ProfileByRef(ctx context.Context, orgID, account string) (provision.Profile, error) {
	return s.byMarker(ctx, orgID, scimRefSK(account))
}

// PutProfile stores p over prev, moving its userName and externalId markers, and naming it
// from its account when that is another than the one it is named after. The account
// markers are never removed: each account a person had stays theirs.
func (s *SCIM) PutProfile(ctx context.Context, prev *provision.Profile, p provision.Profile) error {
	cond := notExists()
	var oldName, oldExt, oldRef string
	if prev != nil {
		cond = expression.Name("lastModified").Equal(expression.Value(fmtTime(prev.LastModified)))
		oldName, oldExt, oldRef = prev.UserName, prev.ExternalID, prev.Ref
	}
	x := s.t.newTx().put(org.PartRecord, toProfileItem(p), &cond)
	moveMarker(x, p.OrgID, p.ID, scimNameSK, oldName, p.UserName, prev == nil)
	moveMarker(x, p.OrgID, p.ID, scimExtSK, oldExt, p.ExternalID, prev == nil)
	if p.Ref != "" && p.Ref != p.ID && p.Ref != oldRef {
		x.put(org.PartRecord, scimMarkerItem{key: key{PK: orgPK(p.OrgID), SK: scimRefSK(p.Ref)}, Type: typeSCIMMarker, Ref: p.ID}, nil)
	}
	return x.commit(ctx)
}

// moveMarker adds to x what holds value (in place of old) for ref, under the key sk makes.
func moveMarker(x *tx, orgID, ref string, sk func(string) string, old, value string, fresh bool) {
	ours := expression.Name("ref").Equal(expression.Value(ref))
	if !fresh && sk(old) == sk(value) {
		return
	}
	if !fresh && old != "" {
		x.del(org.PartRecord, orgPK(orgID), sk(old), ours)
	}
	if value != "" {
		free := notExists().Or(ours)
		x.put(org.PartAddress, scimMarkerItem{key: key{PK: orgPK(orgID), SK: sk(value)}, Type: typeSCIMMarker, Ref: ref}, &free)
	}
}

// ListProfiles reads every profile of the organization.
func (s *SCIM) ListProfiles(ctx context.Context, orgID string) ([]provision.Profile, error) {
	var out []provision.Profile
	err := s.t.queryAll(ctx, orgID, prefixSCIMUser, nil, func(item map[string]types.AttributeValue) error {
		var it scimProfileItem
		if err := decodeItem(item, &it); err != nil {
			return err
		}
		out = append(out, it.domain())
		return nil
	})
	return out, err
}
