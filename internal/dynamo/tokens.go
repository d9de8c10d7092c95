package dynamo

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gatehouse/internal/org"
)

// Tokens keeps API tokens, under their organization and under the hash of their secret. It
// implements org.TokenStore.
type Tokens struct{ t *table }

var _ org.TokenStore = (*Tokens)(nil)

// CreateToken writes an API token under its organization and under the hash of its secret.
// The organization must exist: a token must never float free of one.
func (s *Tokens) CreateToken(ctx context.Context, t org.APIToken, audit org.AuditEntry) error {
	byOrg, byHash := toTokenItems(t)
	return s.t.newTx().
		putNew(org.PartToken, byOrg).
		putNew(org.PartToken, byHash).
		audit(audit).
		check(org.PartOrg, orgPK(t.OrgID), skOrg, expression.AttributeExists(expression.Name(attrPK))).
		commit(ctx)
}

// TokenByHash finds the API token whose secret hashes to hash. Errors never show the hash:
// it identifies the secret as well as the secret itself.
func (s *Tokens) TokenByHash(ctx context.Context, hash string) (org.APIToken, error) {
	var it tokenItem
	err := s.t.get(ctx, apiKeyPK(hash), skAPIKey, &it)
	switch {
	case errors.Is(err, org.ErrNotFound):
		return org.APIToken{}, fmt.Errorf("token: %w", org.ErrNotFound)
	case err != nil:
		return org.APIToken{}, fmt.Errorf("read token by its hash: %w", unwrapAll(err))
	}
	return it.domain(), nil
}

// GetToken reads one of an organization's API tokens.
func (s *Tokens) GetToken(ctx context.Context, orgID, id string) (org.APIToken, error) {
	var it tokenItem
	if err := s.t.get(ctx, orgPK(orgID), tokenSK(id), &it); err != nil {
		return org.APIToken{}, err
	}
	return it.domain(), nil
}

// maxTokens bounds a token listing; an organization needs far fewer.
const maxTokens = 1000

// ListTokens lists an organization's API tokens, oldest first.
func (s *Tokens) ListTokens(ctx context.Context, orgID string) ([]org.APIToken, error) {
	items, _, err := s.t.queryPage(ctx, query{orgID: orgID, prefix: prefixToken, forward: true, page: org.PageRequest{Limit: maxTokens}})
	if err != nil {
		return nil, err
	}
	page, err := decodePage(items, "", tokenItem.domain)
	return page.Items, err
}

// TouchToken records that t was used at at on its listed item, unless a use within the
// minute before is recorded already (which is no error).
func (s *Tokens) TouchToken(ctx context.Context, t org.APIToken, at time.Time) error {
	upd := expression.Set(expression.Name("lastUsedAt"), expression.Value(fmtTime(at)))
	cond := expression.AttributeExists(expression.Name(attrPK)).And(
		expression.AttributeNotExists(expression.Name("lastUsedAt")).Or(expression.Name("lastUsedAt").LessThan(expression.Value(fmtTime(at.Add(-time.Minute))))))
	expr, err := expression.NewBuilder().WithUpdate(upd).WithCondition(cond).Build()
	if err != nil {
		return fmt.Errorf("build token touch: %w", err)
	}
	_, err = s.t.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.t.name, Key: keyOf(orgPK(t.OrgID), tokenSK(t.ID)), UpdateExpression: expr.Update(), ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("record the use of token %s: %w", t.ID, err)
	}
	return nil
}

// DeleteToken removes an API token; its secret stops authenticating at once.
func (s *Tokens) DeleteToken(ctx context.Context, t org.APIToken, audit org.AuditEntry) error {
	exists := expression.AttributeExists(expression.Name(attrPK))
	return s.t.newTx().
		del(org.PartToken, orgPK(t.OrgID), tokenSK(t.ID), exists).
		del(org.PartToken, apiKeyPK(t.Hash), skAPIKey, exists).
		audit(audit).
		commit(ctx)
}

// unwrapAll drops the text of err's wrappers (which name the key read), keeping the cause.
func unwrapAll(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// Audit reads the audit log. It implements org.AuditStore.
type Audit struct{ t *table }

var _ org.AuditStore = (*Audit)(nil)

// ListAudit lists audit entries newest first, keeping those of q's action (or kind of
// action), actor (by id or name) and source.
func (s *Audit) ListAudit(ctx context.Context, orgID string, q org.AuditQuery) (org.Page[org.AuditEntry], error) {
	var filters []expression.ConditionBuilder
	switch kind, ok := strings.CutSuffix(q.Action, ".*"); {
	case ok:
		filters = append(filters, expression.BeginsWith(expression.Name("action"), kind+"."))
	case q.Action != "":
		filters = append(filters, expression.Name("action").Equal(expression.Value(q.Action)))
	}
	if q.Actor != "" {
		filters = append(filters, expression.Name("actor.id").Equal(expression.Value(q.Actor)).
			Or(expression.Name("actor.name").Equal(expression.Value(q.Actor))))
	}
	if q.Source != "" {
		filters = append(filters, expression.Name("source").Equal(expression.Value(string(q.Source))))
	}
	view := "" // the unfiltered log's cursors stay as they were
	if len(filters) > 0 {
		view = url.Values{"action": {q.Action}, "actor": {q.Actor}, "source": {string(q.Source)}}.Encode()
	}
	items, next, err := s.t.queryPage(ctx, query{orgID: orgID, prefix: prefixAudit, filter: allOf(filters), view: view, page: q.PageRequest})
	if err != nil {
		return org.Page[org.AuditEntry]{}, err
	}
	return decodePage(items, next, auditItem.domain)
}
