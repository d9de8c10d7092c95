package scim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
)

// flexBool is a boolean that also accepts the strings "true" and "false" in any case,
// since Entra ID sends "True" and "False" for active and primary.
type flexBool bool

// UnmarshalJSON reads true, false, "True", "false" and the like.
func (b *flexBool) UnmarshalJSON(data []byte) error {
	if isNull(data) {
		return nil
	}
	v, err := boolValue(data, "active and primary")
	if err != nil {
		return err
	}
	*b = flexBool(v)
	return nil
}

// isNull reports whether raw is absent or JSON null: an unassigned value in SCIM.
func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

// stringValue reads a string value for attr; null reads as "".
func stringValue(raw json.RawMessage, attr string) (string, error) {
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", badRequest(typeInvalidValue, "%s must be a string", attr)
	}
	return s, nil
}

// boolValue reads a boolean for attr, also from the strings "true" and "false".
func boolValue(raw json.RawMessage, attr string) (bool, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err == nil {
		switch v := v.(type) {
		case bool:
			return v, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true":
				return true, nil
			case "false":
				return false, nil
			}
		}
	}
	return false, badRequest(typeInvalidValue, "%s must be true or false", attr)
}

// objectMember is one key and value of a JSON object, in document order.
type objectMember struct {
	key   string
	value json.RawMessage
}

// objectMembers returns raw's keys and values in the order they were sent, or ok false
// when raw is not an object. Order matters: {"name": {…}, "name.givenName": "…"} applies
// the second after the first.
func objectMembers(raw json.RawMessage) (members []objectMember, ok bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false, nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, true, fmt.Errorf("read object key: %w", err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, true, fmt.Errorf("read value of %q: %w", key, err)
		}
		members = append(members, objectMember{key: key, value: v})
	}
	return members, true, nil
}

// emailValue is one entry of a user's emails.
type emailValue struct {
	Value   *string  `json:"value"`
	Type    *string  `json:"type"`
	Primary flexBool `json:"primary"`
}

// pickEmail chooses the person's address from emails: the primary one, else the first of
// type work, else the first; "" when none has a value.
func pickEmail(emails []emailValue) string {
	value := func(e emailValue) string {
		if e.Value == nil {
			return ""
		}
		return strings.TrimSpace(*e.Value)
	}
	for _, e := range emails {
		if e.Primary && value(e) != "" {
			return value(e)
		}
	}
	for _, e := range emails {
		if e.Type != nil && strings.EqualFold(*e.Type, "work") && value(e) != "" {
			return value(e)
		}
	}
	for _, e := range emails {
		if value(e) != "" {
			return value(e)
		}
	}
	return ""
}

// emailList reads a value of emails: a list of email objects, or one object.
func emailList(raw json.RawMessage) ([]emailValue, error) {
	if isNull(raw) {
		return nil, nil
	}
	var list []emailValue
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var one emailValue
	if err := json.Unmarshal(raw, &one); err != nil {
		return nil, badRequest(typeInvalidValue, "emails must be a list of objects with a string value")
	}
	return []emailValue{one}, nil
}

// isAddress reports whether s is a bare email address, such as a userName that is one.
func isAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// memberValue is one entry of a group's members as clients send it; display and $ref are
// read-only and ignored.
type memberValue struct {
	Value *string `json:"value"`
}

// memberIDs reads a value of members: a list of {"value": "<user id>"} objects, or one.
func memberIDs(raw json.RawMessage) ([]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	var list []memberValue
	if err := json.Unmarshal(raw, &list); err != nil {
		var one memberValue
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, badRequest(typeInvalidValue, "members must be a list of objects whose value is a user id")
		}
		list = []memberValue{one}
	}
	ids := make([]string, 0, len(list))
	for i, m := range list {
		if m.Value == nil || strings.TrimSpace(*m.Value) == "" {
			return nil, badRequest(typeInvalidValue, "members[%d].value must be a user id", i)
		}
		ids = append(ids, *m.Value)
	}
	return ids, nil
}
