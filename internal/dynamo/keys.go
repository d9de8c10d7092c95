package dynamo

import (
	"hash/fnv"
	"strconv"
	"strings"
)

// Every key string of the table lives here.
//
//	pk                 sk                   item
//	ORG#<org>          ORG                  organization (with the count of active admins)
//	ORG#<org>          INV#<invitationID>   invitation; while pending, also in the outbox index
//	                                        under EXPIRIES#<shard>, due at its expiry
//	ORG#<org>          EMAIL#<email>        who holds an address: a live invitation or a member
//	ORG#<org>          MEMBER#<memberID>    member
//	ORG#<org>          TOKEN#<tokenID>      API token (no secret)
//	ORG#<org>          AUDIT#<ULID>         audit entry
//	ORG#<org>          IDEM#<hash>          idempotency record (expires by TTL)
//	ORG#<org>          SENDS#<email>        when invitation emails to an address were queued lately
//	ORG#<org>          OUTBOX#<invitation>  an invitation email waiting to be sent; also in the
//	                                        sparse index "outbox" (queue, due) the sweep reads
//	ORG#<org>          SLACK                the organization's Slack connection
//	ORG#<org>          SYNC                 the organization's directory sync configuration
//	ORG#<org>          SYNCRUN#<runID>      a directory sync run's report
//	ORG#<org>          SYNCLEASE            who is applying a sync to the organization, until when
//	ORG#<org>          SYNCHOLD             which run waits for an admin's approval (one at most)
//	ORG#<org>          SCIM                 the organization's SCIM provisioning settings and status
//	ORG#<org>          SCIMUSER#<id>        a SCIM person's profile (the attributes sent, as sent)
//	ORG#<org>          SCIMNAME#<userName>  who holds a SCIM userName (lower-cased)
//	ORG#<org>          SCIMEXT#<id>         who holds an identity-provider id
//	ORG#<org>          SCIMREF#<account>    the profile an account (invitation, member) stands for
//	ORG#<org>          SCIMGROUP#<id>       a group SCIM pushed
//	ORG#<org>          SCIMGNAME#<name>     which group has a display name (lower-cased)
//	ORG#<org>          SCIMGM#<group>#<id>  a member of a group
//	ORG#<org>          SCIMWINDOW           deactivations SCIM applied lately, by stretch of time
//	SCIMTOKEN#<sha256> SCIMTOKEN            the organization of a SCIM token, by its hash
//	SYNCCONFIG         <org>                the same sync configuration, listed for the schedule
//	APIKEY#<sha256>    APIKEY               API token looked up by the hash of its secret
//	SLACKTEAM#<team>   SLACKTEAM            the same Slack connection, found by its team id
//	SYSTEM             CURSORKEY            the key list cursors are signed with
//	ORG#<org>          EVENT#<auditID>      a change to announce, written with it; in the outbox
//	                                        index under EVENTS until fanned out
//	ORG#<org>          WEBHOOK#<id>         a webhook endpoint
//	ORG#<org>          WEBHOOKCOUNT         how many webhook endpoints the organization has,
//	                                        raised below the limit in each create's transaction
//	ORG#<org>          WHD#<endpoint>#<id>  a delivery of an event to an endpoint; in the outbox
//	                                        index under WEBHOOKS while not final
const (
	attrPK  = "pk"
	attrSK  = "sk"
	attrTTL = "ttl"

	prefixOrg        = "ORG#"
	skOrg            = "ORG"
	prefixInvitation = "INV#"
	prefixEmail      = "EMAIL#"
	prefixMember     = "MEMBER#"
	prefixToken      = "TOKEN#"
	prefixAudit      = "AUDIT#"
	prefixIdem       = "IDEM#"
	prefixOutbox     = "OUTBOX#"
	prefixSends      = "SENDS#"

	outboxIndex  = "outbox"
	outboxQueue  = "OUTBOX" // the index's only partition: the send rate keeps it small
	prefixAPIKey = "APIKEY#"
	skAPIKey     = "APIKEY"
	skSlack      = "SLACK"
	skSync       = "SYNC"
	// skDirectoryState is what the last full read of a directory left (Graph's delta links).
	skDirectoryState = "SYNCDIRECTORY"
	prefixRun        = "SYNCRUN#"
	skLease          = "SYNCLEASE"
	skHold           = "SYNCHOLD"
	pkSyncConfig     = "SYNCCONFIG"
	prefixEvent      = "EVENT#"
	prefixWebhook    = "WEBHOOK#"
	skWebhookCount   = "WEBHOOKCOUNT"
	prefixDelivery   = "WHD#"
	eventsQueue      = "EVENTS"   // the outbox index's partition of events to fan out
	webhooksQueue    = "WEBHOOKS" // and of webhook deliveries due
	// expiriesQueue prefixes the outbox index's partitions of pending invitations, due at
	// their expiry; expiryShards of them, so a large import does not write one hot partition.
	expiriesQueue = "EXPIRIES#"
	expiryShards  = 8
	// pkSystem holds what the whole table shares, such as the key cursors are signed with.
	pkSystem    = "SYSTEM"
	skCursorKey = "CURSORKEY"
	prefixTeam  = "SLACKTEAM#"
	skTeam      = "SLACKTEAM"

	skSCIM           = "SCIM"
	prefixSCIMUser   = "SCIMUSER#"
	prefixSCIMName   = "SCIMNAME#"
	prefixSCIMExt    = "SCIMEXT#"
	prefixSCIMRef    = "SCIMREF#"
	prefixSCIMGroup  = "SCIMGROUP#"
	prefixSCIMGName  = "SCIMGNAME#"
	prefixSCIMMember = "SCIMGM#"
	skSCIMWindow     = "SCIMWINDOW"
	prefixSCIMToken  = "SCIMTOKEN#"
	skSCIMToken      = "SCIMTOKEN"
)

// The item types, stored in each item's "type" attribute for people reading the table.
const (
	typeOrg             = "org"
	typeInvitation      = "invitation"
	typeEmail           = "email"
	typeMember          = "member"
	typeToken           = "token"
	typeAPIKey          = "apikey"
	typeAudit           = "audit"
	typeIdempotency     = "idempotency"
	typeOutbox          = "outbox"
	typeSends           = "sends"
	typeSlack           = "slack"
	typeSlackTeam       = "slackteam"
	typeSyncConfig      = "syncconfig"
	typeCursorKey       = "cursorkey"
	typeEvent           = "event"
	typeWebhook         = "webhook"
	typeWebhookCount    = "webhookcount"
	typeWebhookDelivery = "webhookdelivery"
	typeDirectoryState  = "syncdirectory"
	typeSyncRun         = "syncrun"
	typeSyncLease       = "synclease"
	typeSyncHold        = "synchold"
	typeSCIM            = "scim"
	typeSCIMToken       = "scimtoken"
	typeSCIMUser        = "scimuser"
	typeSCIMMarker      = "scimmarker"
	typeSCIMGroup       = "scimgroup"
	typeSCIMMember      = "scimmember"
	typeSCIMWindow      = "scimwindow"
)

func orgPK(orgID string) string     { return prefixOrg + orgID }
func invitationSK(id string) string { return prefixInvitation + id }
func emailSK(email string) string   { return prefixEmail + email }
func memberSK(id string) string     { return prefixMember + id }
func tokenSK(id string) string      { return prefixToken + id }
func auditSK(id string) string      { return prefixAudit + id }
func idemSK(hash string) string     { return prefixIdem + hash }
func outboxSK(invID string) string  { return prefixOutbox + invID }

// expiryQueue is the partition of the outbox index that pending invitation invID waits in
// for its expiry.
func expiryQueue(invID string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(invID))
	return expiriesQueue + strconv.Itoa(int(h.Sum32()%expiryShards))
}
func sendsSK(email string) string       { return prefixSends + email }
func apiKeyPK(hash string) string       { return prefixAPIKey + hash }
func slackTeamPK(teamID string) string  { return prefixTeam + teamID }
func runSK(id string) string            { return prefixRun + id }
func scimUserSK(id string) string       { return prefixSCIMUser + id }
func scimNameSK(userName string) string { return prefixSCIMName + strings.ToLower(userName) }
func scimExtSK(ext string) string       { return prefixSCIMExt + ext }
func scimRefSK(account string) string   { return prefixSCIMRef + account }
func scimGroupSK(id string) string      { return prefixSCIMGroup + id }
func scimGNameSK(name string) string    { return prefixSCIMGName + strings.ToLower(name) }
func scimMemberSK(group, id string) string {
	return prefixSCIMMember + group + "#" + id
}
func scimTokenPK(hash string) string     { return prefixSCIMToken + hash }
func trimPrefix(s, prefix string) string { return strings.TrimPrefix(s, prefix) }

// keyText names an item's key for an error message. Keys derived from a secret (an API or
// SCIM token's hash) are named by their kind alone: the hash identifies the secret as well as
// the secret itself does, so it never goes into a log.
func keyText(pk, sk string) string {
	for _, prefix := range []string{prefixAPIKey, prefixSCIMToken} {
		if strings.HasPrefix(pk, prefix) {
			return prefix + "<hash> " + sk
		}
	}
	return pk + " " + sk
}

func eventSK(id string) string   { return prefixEvent + id }
func webhookSK(id string) string { return prefixWebhook + id }
func deliverySK(endpointID, id string) string {
	return deliveryPrefix(endpointID) + id
}
func deliveryPrefix(endpointID string) string { return prefixDelivery + endpointID + "#" }
