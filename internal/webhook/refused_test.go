package webhook

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestSendRefusesAddresses: a URL that the rule refuses is Refused before any connection:
// the receiver on loopback is never called, and nothing else is dialed.
func TestSendRefusesAddresses(t *testing.T) {
	rc := newReceiver(t, nil)
	port := rc.URL[strings.LastIndex(rc.URL, ":")+1:]
	cases := []struct {
		name, url string
		local     bool
		says      string
	}{
		{"http, not local", rc.URL, false, "must start with https://"},
		{"loopback, not local", "https://127.0.0.1:" + port + "/", false, "127.0.0.1 is a loopback address"},
		{"IPv6 loopback, not local", "https://[::1]:" + port + "/", false, "::1 is a loopback address"},
		{"IPv4-mapped loopback, not local", "https://[::ffff:127.0.0.1]:" + port + "/", false, "IPv4-mapped loopback"},
		{"name to loopback, not local", "https://loop.example.com:" + port + "/", false, "loop.example.com resolves to a loopback address"},
		{"localhost over http, local", "http://localhost:" + port + "/", true, "on the local stack"},
		{"user info, local", "http://user:pw@127.0.0.1:" + port + "/", true, "user name or password"},
		{"fragment, local", rc.URL + "/#x", true, "#fragment"},
		{"10/8", "https://10.0.0.1/", true, "10.0.0.1 is a private address"},
		{"172.16/12", "https://172.16.5.4/", true, "private"},
		{"192.168/16", "https://192.168.0.1/", true, "private"},
		{"metadata service", "https://169.254.169.254/latest/meta-data/", true, "link-local"},
		{"unique local", "https://[fd00::1]/", true, "private (unique local)"},
		{"IPv6 link-local", "https://[fe80::1]/", true, "link-local"},
		{"this network", "https://0.0.0.0:" + port + "/", true, "this-network"},
		{"name to 10/8", "https://internal.example.com/", true, "internal.example.com resolves to a private address"},
		{"name to the metadata service", "https://metadata.example.com/", true, "resolves to a link-local address"},
		{"name to public and loopback", "https://mixed.example.com:" + port + "/", false, "resolves to a loopback address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSender(SenderOptions{Local: tc.local, Resolver: testDNS()})
			t.Cleanup(s.CloseIdleConnections)
			res := s.Send(context.Background(), tc.url, []string{NewSecret()}, "evt_1", time.Now(), []byte("{}"))
			if res.Outcome != Refused || res.Status != 0 || !strings.Contains(res.Error, tc.says) {
				t.Errorf("%+v, want refused saying %q", res, tc.says)
			}
			for _, a := range []string{"10.1.2.3", "169.254.169.254", "93.184.216.34"} {
				if !strings.HasPrefix(tc.url, "https://"+a) && strings.Contains(res.Error, a) {
					t.Errorf("error %q reveals the address %s behind a name", res.Error, a)
				}
			}
		})
	}
	if n := len(rc.requests()); n != 0 {
		t.Errorf("the receiver was called %d times", n)
	}
}

// TestSendRefusesWhatCannotBeSigned: no valid secret, or an id the specification forbids,
// is Refused before any request, and the error never holds the secret.
func TestSendRefusesWhatCannotBeSigned(t *testing.T) {
	rc := newReceiver(t, nil)
	s := testSender(t, SenderOptions{})
	bad := "whsec_this-is-not-base64-but-it-is-long"
	cases := []struct {
		name    string
		secrets []string
		id      string
		says    string
	}{
		{"no secret", nil, "evt_1", "no signing secret"},
		{"bad secret", []string{NewSecret(), bad}, "evt_1", "secrets[1] is not a signing secret"},
		{"full stop in id", []string{NewSecret()}, "evt.1", "full stop"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := s.Send(context.Background(), rc.URL, tc.secrets, tc.id, time.Now(), []byte("{}"))
			if res.Outcome != Refused || !strings.Contains(res.Error, tc.says) {
				t.Errorf("%+v, want refused saying %q", res, tc.says)
			}
			if strings.Contains(res.Error, "not-base64") {
				t.Errorf("error %q holds the secret", res.Error)
			}
		})
	}
	if n := len(rc.requests()); n != 0 {
		t.Errorf("the receiver was called %d times", n)
	}
}
