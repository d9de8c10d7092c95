package localdb

import "time"

// tokenLifetime is how long DynamoDB remembers a transaction's ClientRequestToken.
const tokenLifetime = 10 * time.Minute

// tokenRecord is a transaction that succeeded under a token: what it asked, and when.
type tokenRecord struct {
	fingerprint [32]byte
	at          time.Time
}

// tokenLog remembers the tokens of successful transactions for tokenLifetime. Tokens are
// forgotten oldest first as time passes, so its size is bounded by the transactions of
// the last 10 minutes. The engine's lock guards it.
type tokenLog struct {
	byToken map[string]tokenRecord
	order   []string // tokens in the order they were recorded
}

// lookup is the live record of token at now.
func (l *tokenLog) lookup(token string, now time.Time) (tokenRecord, bool) {
	l.expire(now)
	r, ok := l.byToken[token]
	return r, ok
}

func (l *tokenLog) record(token string, fingerprint [32]byte, now time.Time) {
	l.byToken[token] = tokenRecord{fingerprint: fingerprint, at: now}
	l.order = append(l.order, token)
}

func (l *tokenLog) expire(now time.Time) {
	for len(l.order) > 0 {
		r, ok := l.byToken[l.order[0]]
		if ok && now.Sub(r.at) < tokenLifetime {
			return
		}
		delete(l.byToken, l.order[0])
		l.order = l.order[1:]
	}
}
