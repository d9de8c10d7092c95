package idp

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
)

// Detect tells the format of an export from its first bytes (up to 4 KiB are looked at):
// JSON by its top-level keys (SCIM schemas, Graph's @odata keys and value, Google's kind
// and members, or an array of Okta users), CSV by the columns of its header. The error
// wraps ErrUnknownFormat (or ErrEmpty) and says what was seen.
func Detect(head []byte) (Format, error) {
	if len(head) > headSize {
		head = head[:headSize]
	}
	if enc := utf16(head); enc != "" {
		return "", fmt.Errorf("%w: the file is %s; save it as UTF-8", ErrUnknownFormat, enc)
	}
	head = bytes.TrimPrefix(head, []byte(utf8BOM))
	body := bytes.TrimLeft(head, " \t\r\n")
	switch {
	case len(body) == 0:
		return "", fmt.Errorf("%w: the file is empty", ErrEmpty)
	case body[0] == '{':
		return detectObject(body)
	case body[0] == '[':
		return detectArray(body)
	case bytes.HasPrefix(body, []byte("PK\x03\x04")):
		return "", fmt.Errorf("%w: the file is a spreadsheet or zip archive; export it as CSV", ErrUnknownFormat)
	}
	return detectCSV(body)
}

// detectObject recognizes a JSON export whose top level is an object.
func detectObject(body []byte) (Format, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil {
		return "", fmt.Errorf("%w: not JSON: %v", ErrUnknownFormat, err)
	}
	var scim, graph, google bool
	var seen []string
	for _, k := range scanKeys(dec) {
		seen = append(seen, k.name)
		switch name := strings.ToLower(k.name); {
		case name == "schemas":
			scim = scim || strings.Contains(strings.Join(k.strs, " "), "urn:ietf:params:scim:")
		case name == "resources" || name == "totalresults":
			scim = true
		case strings.HasPrefix(name, "@odata.") || name == "value":
			graph = true
		case name == "kind" && strings.HasPrefix(k.value, "admin#directory#member"), name == "members":
			google = true
		}
	}
	switch {
	case scim:
		return FormatSCIM, nil
	case graph:
		return FormatEntraJSON, nil
	case google:
		return FormatGoogleJSON, nil
	}
	// The file's own keys are not repeated: a reason never shows what a file holds.
	return "", fmt.Errorf("%w: a JSON object whose %d top-level keys are none of SCIM, Microsoft Graph or Google members",
		ErrUnknownFormat, len(seen))
}

// detectArray recognizes the Okta API's array of users (or an empty array).
func detectArray(body []byte) (Format, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil {
		return "", fmt.Errorf("%w: not JSON: %v", ErrUnknownFormat, err)
	}
	tok, err := dec.Token()
	if d, ok := tok.(json.Delim); err == nil && ok && d == ']' {
		return FormatOktaJSON, nil
	}
	if d, ok := tok.(json.Delim); err != nil || !ok || d != '{' {
		return "", fmt.Errorf("%w: a JSON array, but not of objects", ErrUnknownFormat)
	}
	for _, k := range scanKeys(dec) {
		if k.name == "profile" {
			return FormatOktaJSON, nil
		}
	}
	return "", fmt.Errorf("%w: a JSON array whose first element has no Okta profile", ErrUnknownFormat)
}

// detectCSV recognizes a CSV export by its header.
func detectCSV(body []byte) (Format, error) {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true // only the header matters, and it may be cut off by the head's end
	header, err := r.Read()
	if err == nil && len(header) == 1 && strings.HasPrefix(strings.ToLower(header[0]), "version:") {
		header, err = r.Read()
	}
	if err != nil {
		return "", fmt.Errorf("%w: neither JSON nor a CSV header: %v", ErrUnknownFormat, err)
	}
	cols := make(map[string]bool, len(header))
	for _, h := range header {
		cols[headerName(h)] = true
	}
	switch {
	case cols["user id"] && cols["primary email"]:
		return FormatOktaCSV, nil
	case cols["userprincipalname"]:
		return FormatEntraCSV, nil
	case cols["email address"]:
		return FormatGoogleCSV, nil
	}
	return "", fmt.Errorf("%w: a first line of %d cells, not the header of an Okta, Entra or Google export",
		ErrUnknownFormat, len(header))
}

// headKey is a top-level key of a JSON object, with its value when that is a string and the
// strings inside it when it is a "schemas" array.
type headKey struct {
	name  string
	value string
	strs  []string
}

// scanKeys reads the keys of the object whose '{' dec has just read, skipping values, until
// the object ends or the head runs out.
func scanKeys(dec *json.Decoder) []headKey {
	var keys []headKey
	for {
		tok, err := dec.Token()
		name, ok := tok.(string)
		if err != nil || !ok {
			return keys
		}
		k := headKey{name: name}
		tok, err = dec.Token()
		if err != nil {
			return append(keys, k)
		}
		switch v := tok.(type) {
		case string:
			k.value = v
		case json.Delim:
			if !strings.EqualFold(name, "schemas") {
				if !skipRest(dec, v) {
					return append(keys, k)
				}
				break
			}
			for depth := 1; depth > 0; {
				if tok, err = dec.Token(); err != nil {
					return append(keys, k)
				}
				switch t := tok.(type) {
				case json.Delim:
					if t == '[' || t == '{' {
						depth++
					} else {
						depth--
					}
				case string:
					if strings.EqualFold(name, "schemas") {
						k.strs = append(k.strs, t)
					}
				}
			}
		}
		keys = append(keys, k)
	}
}

// skipRest reads past the rest of the array or object whose opening delimiter dec has just
// read, and reports whether it ended well: an element, or a key's value, at a time, which
// is much quicker than token by token.
func skipRest(dec *json.Decoder, open json.Delim) bool {
	var v ignored
	for dec.More() {
		if open == '{' {
			if _, err := dec.Token(); err != nil {
				return false
			}
		}
		if err := dec.Decode(&v); err != nil {
			return false
		}
	}
	_, err := dec.Token()
	return err == nil
}

// ignored is a JSON value decoded only to read past it.
type ignored struct{}

// UnmarshalJSON keeps nothing.
func (*ignored) UnmarshalJSON([]byte) error { return nil }

// utf16 names the encoding of a file that starts with a UTF-16 byte order mark.
func utf16(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return "UTF-16 (little-endian)"
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return "UTF-16 (big-endian)"
	}
	return ""
}
