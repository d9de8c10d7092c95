// Package served registers routes the way Gatehouse's handlers do, for ServedRoutes' tests.
package served

import "net/http"

func routes(mux *http.ServeMux, h http.Handler) {
	mux.Handle("GET /items/{id}", h)
	mux.HandleFunc("/hooks/secret", h.ServeHTTP)
	mux.Handle("GET /settings/", h)
	mux.Handle("GET /{$}", h)
	http.Handle(dynamicPattern(), h) // not a literal: not a pattern it can read
}

func dynamicPattern() string { return "/dynamic" }
