package main

import (
	"net/http"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// withRequestID answers with API Gateway's request id in X-Request-Id, as the API does, so a
// Slack answer can be found in the access log.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rc, ok := core.GetAPIGatewayContextFromContext(r.Context()); ok && rc.RequestID != "" {
			w.Header().Set("X-Request-Id", rc.RequestID)
		}
		next.ServeHTTP(w, r)
	})
}
