package hooks

// SetScanPages makes a look read n pages at most, until the returned function puts it back.
func SetScanPages(n int) func() {
	old := scanPages
	scanPages = n
	return func() { scanPages = old }
}
