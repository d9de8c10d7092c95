package httpapi

// Routes builds the API from c and lists the routes its router serves: each ServeMux
// pattern as registered, and the routes of a handler mounted below a subtree pattern (SCIM's)
// under that prefix.
func Routes(c Config) ([]string, error) {
	_, routes, err := newAPI(c)
	return routes, err
}

// MappedCodes are the problem codes the error map gives domain errors.
func MappedCodes() []string {
	var codes []string
	for _, m := range errorMap {
		codes = append(codes, m.code)
	}
	return codes
}
