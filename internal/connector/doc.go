// Package connector reads the groups of an identity provider through its API (Microsoft
// Graph, Okta, Google Workspace, SCIM 2.0), yielding each group as the pages idp.Parse
// reads: the provider's own responses, byte for byte, so that a connector and an uploaded
// export of the same group give the same snapshot.
//
// A Config (GraphConfig, OktaConfig, GoogleConfig, SCIMConfig) holds one provider's
// settings; Decode reads them from JSON and Validate reports every field problem at once
// as an *org.ValidationError. Credentials are Secrets, which print and marshal as
// "[redacted]". New (or NewGraph, NewOkta, NewGoogle, NewSCIM) builds the connector with
// Options whose HTTPClient comes from egress.NewClient.
//
// Fetch reads every page of every group, at most Options.Concurrency groups at once, and
// returns them all or an *Error that wraps ErrIncomplete: a read that did not finish
// applies nothing. Failed requests are retried (429 and 5xx after Retry-After, Okta's
// rate-limit reset or an exponential backoff with jitter; a 401 once after signing in
// again), but never past the context's deadline: a wait that would pass it fails at once.
// Errors name the provider, group and page and say what the provider's answer means, with
// its status and error code; they never hold a credential.
//
// How a sync run uses it:
//
//	conn, err := connector.New(cfg, connector.Options{HTTPClient: egressClient, Logger: log})
//	res, err := conn.Fetch(ctx)              // errors.Is(err, connector.ErrIncomplete): apply nothing
//	for i, g := range res.Groups {
//		snap, err := res.Snapshot(i, opts)   // idp.ParseWith(opts, res.Format, g.Readers()...)
//		// plan and apply snap; keep g.DeltaLink (Graph) for the next run
//	}
//
// On Graph, a run that read in full less than a day ago may first ask, for each group,
// (*Graph).CheckDelta(ctx, id, storedLink): when no group Changed, the run can skip the
// read and store the new links.
//
// Test signs in and reads the first page of each group, for the settings page: each
// group's name (where cheap), first people and count so far.
package connector
