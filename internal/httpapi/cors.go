package httpapi

import "net/http"

// cors lets browsers on the allowed origins (the portal) call the API: it answers preflight
// requests and marks answers readable by those origins. A preflight from any other origin,
// or when no origin is allowed, is refused with a problem saying why and what to configure,
// rather than reaching the router (which would answer 405 for OPTIONS and leave the caller
// guessing); other requests from other origins are served as usual, without CORS headers,
// and browsers keep their scripts from reading the answers.
func cors(allowed []string, next http.Handler) http.Handler {
	origins := make(map[string]bool, len(allowed))
	for _, o := range allowed {
		origins[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		h := w.Header()
		if len(origins) > 0 {
			h.Add("Vary", "Origin")
		}
		switch {
		case !origins[origin] && preflight:
			refuseOrigin(w, r, origin, len(origins) > 0)
			return
		case !origins[origin]:
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "Location, Retry-After, X-Request-Id, Idempotent-Replayed")
		if preflight {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, X-Request-Id, X-Gatehouse-Source")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refuseOrigin answers a preflight from an origin that may not call the API: 403, naming the
// origin and the setting that would allow it. The browser shows only that the preflight
// failed; whoever looks at the answer (the network panel, curl) reads why.
func refuseOrigin(w http.ResponseWriter, r *http.Request, origin string, someAllowed bool) {
	detail := "this deployment allows no browser origin to call the API across origins, so " + origin + " may not; " +
		"list it in CORS_ALLOWED_ORIGINS (the template parameter CorsAllowedOrigins), or serve Gatehouse under the page's own domain"
	if someAllowed {
		detail = origin + " is not one of the browser origins allowed to call the API across origins; " +
			"add it to CORS_ALLOWED_ORIGINS (the template parameter CorsAllowedOrigins)"
	}
	writeProblem(w, r, newProblem(http.StatusForbidden, "cors_origin_not_allowed", detail))
}
