// Package httpstatus remembers the status an HTTP handler answered with, for the access log
// and the request metrics that wrap the handlers.
package httpstatus

import "net/http"

// Recorder is an http.ResponseWriter that remembers the first status written: the one
// WriteHeader was given, or 200 when the handler wrote a body first. Status is 0 while
// nothing has been written.
type Recorder struct {
	http.ResponseWriter
	Status int
}

// WriteHeader remembers code, unless a status was written already, and passes it on.
func (r *Recorder) WriteHeader(code int) {
	if r.Status == 0 {
		r.Status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write remembers 200 when nothing was written before, and passes b on.
func (r *Recorder) Write(b []byte) (int, error) {
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer underneath (to flush, or to set
// deadlines).
func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
