package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"gatehouse/internal/idempotency"
	"gatehouse/internal/org"
)

// Config is what the slash-command webhook is built from.
type Config struct {
	Service  Service
	Verifier *Verifier
	// Replays remembers each command's reply by its trigger_id, so a replayed signed request
	// is answered again instead of run twice.
	Replays idempotency.Store
	Logger  *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// maxBody bounds a slash command's body; Slack's are well under a kilobyte or two.
const maxBody = 64 << 10

// Handler serves Slack's slash-command requests (POST, form-encoded, signed). Every request
// is verified before anything else; anything unsigned, badly signed or stale gets 401 and
// no work. Problems with the command itself are answered as an ephemeral 200, as Slack
// expects.
func Handler(c Config) http.Handler {
	if c.Now == nil {
		c.Now = time.Now
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "slash commands are POSTed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "the request body could not be read", http.StatusRequestEntityTooLarge)
			return
		}
		if err := c.Verifier.Verify(r.Header, body); err != nil {
			c.Logger.WarnContext(r.Context(), "slack request refused", "reason", err.Error())
			http.Error(w, "the request is not signed by Slack", http.StatusUnauthorized)
			return
		}
		cmd, err := ParseCommand(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if cmd.SSLCheck {
			w.WriteHeader(http.StatusOK)
			return
		}
		rep := c.answer(r.Context(), cmd, body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(rep)
	})
}

// answer authorizes the command's sender and runs the command once per trigger_id.
func (c Config) answer(ctx context.Context, cmd Command, body []byte) Reply {
	user := org.SlackUser{TeamID: cmd.TeamID, EnterpriseID: cmd.EnterpriseID, UserID: cmd.UserID, UserName: cmd.UserName}
	p, in, err := c.Service.AuthenticateSlack(ctx, user)
	switch {
	case errors.Is(err, org.ErrSlackNotConnected):
		return reply(":lock: This Slack workspace is not connected to Gatehouse, so I can't invite anyone from here.",
			nil, "A Gatehouse admin can connect it by installing the Gatehouse app from the Slack tab of the Settings page (team id "+escape(cmd.TeamID)+").")
	case errors.Is(err, org.ErrForbidden):
		return reply(":lock: Sorry, you are not on the list of people who may invite from Slack.",
			nil, "A Gatehouse admin can add your Slack user id, "+escape(cmd.UserID)+", to the workspace's connection.")
	case err != nil:
		c.Logger.ErrorContext(ctx, "slack authorization failed", "err", err)
		return reply(":warning: Gatehouse is having trouble right now; please try again in a moment.", nil, "")
	}
	req := ParseText(cmd.Text)
	if req.Problem != "" {
		req.Problem = escape(req.Problem)
	}
	run := runner{svc: c.Service, p: p, in: in, command: cmd.Command, now: c.Now()}
	if req.Action == ActionHelp || cmd.TriggerID == "" {
		return run.run(ctx, req).reply
	}
	return c.once(ctx, p.OrgID, cmd.TriggerID, body, func() outcome { return run.run(ctx, req) })
}

// once runs do for the first request with this trigger_id and replays its reply to any
// repeat. A reply that failed for a passing reason is not kept, so a retry runs again.
func (c Config) once(ctx context.Context, orgID, triggerID string, body []byte, do func() outcome) Reply {
	key := "slack:" + triggerID
	now := c.Now()
	claim := idempotency.Record{
		Fingerprint: idempotency.Fingerprint(http.MethodPost, "/slack/commands", body),
		ExpiresAt:   now.Add(idempotency.ClaimTTL),
	}
	prev, claimed, err := c.Replays.Claim(ctx, orgID, key, claim, now)
	if err != nil {
		c.Logger.ErrorContext(ctx, "slack replay claim failed", "err", err)
		return reply(":warning: Gatehouse is having trouble right now; please try again in a moment.", nil, "")
	}
	if !claimed {
		return c.replay(ctx, prev)
	}
	out := do()
	if out.transient {
		if err := c.Replays.Release(ctx, orgID, key); err != nil {
			c.Logger.ErrorContext(ctx, "slack replay release failed", "err", err)
		}
		return out.reply
	}
	raw, err := json.Marshal(out.reply)
	if err == nil {
		raw, err = idempotency.Seal(c.Verifier.sealingKey(), raw)
	}
	if err == nil {
		done := idempotency.Record{Fingerprint: claim.Fingerprint, Done: true, Status: http.StatusOK,
			ContentType: "application/json", Body: raw, ExpiresAt: now.Add(idempotency.TTL)}
		err = c.Replays.Complete(ctx, orgID, key, done)
	}
	if err != nil {
		c.Logger.ErrorContext(ctx, "slack reply not kept", "err", err)
	}
	return out.reply
}

// replay answers a repeated trigger_id with the first request's reply.
func (c Config) replay(ctx context.Context, prev idempotency.Record) Reply {
	if !prev.Done {
		return reply(":hourglass: I'm still working on this command.", nil, "")
	}
	raw, err := idempotency.Open(c.Verifier.sealingKey(), prev.Body)
	var rep Reply
	if err == nil {
		err = json.Unmarshal(raw, &rep)
	}
	if err != nil {
		c.Logger.ErrorContext(ctx, "slack reply replay failed", "err", err)
		return reply("This command was already handled.", nil, "")
	}
	return rep
}
