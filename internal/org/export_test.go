package org

// SetExpiryPage makes AnnounceExpiries read n due invitations a page, until the returned
// function puts it back.
func SetExpiryPage(n int) func() {
	old := expiryPage
	expiryPage = n
	return func() { expiryPage = old }
}
