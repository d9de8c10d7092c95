// Package scim serves the SCIM 2.0 protocol (RFC 7643, RFC 7644) as Okta and Microsoft
// Entra ID speak it, as a plain net/http handler over a small Backend that the caller
// implements over the domain.
//
// The package keeps nothing of its own. It parses filters and PATCH paths, works out from a
// request the change a user or group should undergo, and asks the Backend for it in one
// call; the Backend enforces the domain's rules and reports refusals with this package's
// sentinel errors.
//
// What a User is here: a person of the organization, pending or a member, with one stable
// id. userName, externalId, name.givenName, name.familyName and displayName are kept as
// given; the person's address is their only email; active false and DELETE deactivate.
//
// Retries: SCIM has no idempotency key. A client that retries a POST /Users whose answer it
// lost gets 409 uniqueness (the Backend must refuse a create whose userName, address or
// externalId is taken), then looks the user up with filter=userName eq "…", as both Okta
// and Entra ID do. That is SCIM's own idempotence, and the only one this package offers.
//
// Mounting: the handler serves /Users, /Groups, /ServiceProviderConfig, /ResourceTypes and
// /Schemas relative to where it is mounted; strip the prefix (such as /scim/v2) in front of
// it, authenticate in front of it (WriteUnauthorized answers a SCIM 401), and give it the
// absolute base URL it is reachable at for meta.location.
package scim
