// Package web is the admin Settings page: static HTML, CSS and JavaScript embedded in the
// binary, talking to the same /api/v1 endpoints as every other client.
package web

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var static embed.FS

// Handler serves the Settings page at /settings and its files at /settings/<file>.
func Handler() http.Handler {
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded folder is fixed at build time
	}
	return http.StripPrefix("/settings", http.FileServerFS(files))
}
