package scim

import (
	"encoding/json"
	"strings"
)

// patchUser applies a PATCH's targets, in order, to u and returns the user wanted.
// Attributes Gatehouse does not keep (password, phoneNumbers, title, the enterprise
// extension, …) are accepted and ignored.
func patchUser(u User, targets []target) (User, error) {
	emailsTouched := false
	for _, t := range targets {
		if t.path.ignored(userSchema) {
			continue
		}
		var err error
		switch t.path.attr.name {
		case "id":
			err = idTarget(t, u.ID)
		case "username":
			err = patchSimple(&u.UserName, t, "userName", true)
		case "externalid":
			err = patchSimple(&u.ExternalID, t, "externalId", false)
		case "displayname":
			err = patchSimple(&u.DisplayName, t, "displayName", false)
		case "name":
			err = patchName(&u, t)
		case "active":
			err = patchActive(&u, t)
		case "emails":
			emailsTouched = true
			err = patchEmails(&u, t)
		}
		if err != nil {
			return User{}, err
		}
	}
	if emailsTouched && u.Email == "" {
		if !isAddress(u.UserName) {
			return User{}, badRequest(typeMutability, "a person keeps an email address; replace it instead of removing it")
		}
		u.Email = u.UserName
	}
	return u, nil
}

// patchSimple applies t to a single-valued string attribute.
func patchSimple(dst *string, t target, attr string, required bool) error {
	if !t.path.plain() {
		return badRequest(typeInvalidPath, "%s has no sub-attributes or values to filter", attr)
	}
	return assign(dst, t, attr, required)
}

// assign sets or clears *dst from t; a required attribute cannot be cleared.
func assign(dst *string, t target, attr string, required bool) error {
	s := ""
	if t.op != opRemove {
		var err error
		if s, err = stringValue(t.value, attr); err != nil {
			return err
		}
	}
	if required && strings.TrimSpace(s) == "" {
		return badRequest(typeInvalidValue, "%s is required", attr)
	}
	*dst = s
	return nil
}

// patchName applies t to name, name.givenName or name.familyName; other parts of a name
// (formatted, middleName, …) are not kept.
func patchName(u *User, t target) error {
	if t.path.where != nil {
		return badRequest(typeInvalidPath, "name is not multi-valued")
	}
	switch t.path.attr.sub {
	case "givenname":
		return assign(&u.GivenName, t, "name.givenName", false)
	case "familyname":
		return assign(&u.FamilyName, t, "name.familyName", false)
	case "":
	default:
		return nil
	}
	if t.op == opRemove || isNull(t.value) {
		u.GivenName, u.FamilyName = "", ""
		return nil
	}
	// Sub-attributes the value leaves out stay as they are (RFC 7644 §3.5.2.3).
	members, ok, err := objectMembers(t.value)
	if err != nil || !ok {
		return badRequest(typeInvalidValue, "name must be an object such as {\"givenName\": \"…\"}")
	}
	for _, m := range members {
		part := target{op: t.op, value: m.value}
		switch strings.ToLower(m.key) {
		case "givenname":
			err = assign(&u.GivenName, part, "name.givenName", false)
		case "familyname":
			err = assign(&u.FamilyName, part, "name.familyName", false)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// patchActive applies t to active, which reads true and false as booleans or strings.
func patchActive(u *User, t target) error {
	if !t.path.plain() {
		return badRequest(typeInvalidPath, "active has no sub-attributes or values to filter")
	}
	if t.op == opRemove {
		return badRequest(typeInvalidValue, "active cannot be removed; replace it with true or false")
	}
	v, err := boolValue(t.value, "active")
	if err != nil {
		return err
	}
	u.Active = v
	return nil
}

// patchEmails applies t to the person's address, which is their only email: work and
// primary. emails, emails.value, emails[type eq "work"].value and emails[primary eq true]
// reach it; an email of another type is not kept and is ignored.
func patchEmails(u *User, t target) error {
	p := t.path
	if p.where != nil {
		selected, err := selectsAddress(u.Email, p.where)
		if err != nil || !selected {
			return err
		}
	}
	switch {
	case p.attr.sub == "value":
		err := assign(&u.Email, t, "emails.value", false)
		u.Email = strings.TrimSpace(u.Email)
		return err
	case p.attr.sub != "":
		return nil // type, primary, display: fixed for the one address kept
	case t.op == opRemove || isNull(t.value):
		u.Email = ""
		return nil
	case p.where != nil:
		return emailObject(u, t.value)
	}
	list, err := emailList(t.value)
	if err != nil {
		return err
	}
	addr := pickEmail(list)
	if addr == "" && len(list) > 0 {
		return badRequest(typeInvalidValue, "emails needs a value")
	}
	u.Email = addr
	return nil
}

// emailObject applies the value of emails[…]: an email object, or its address alone.
func emailObject(u *User, raw json.RawMessage) error {
	var e emailValue
	if err := json.Unmarshal(raw, &e); err != nil {
		return assign(&u.Email, target{op: opReplace, value: raw}, "emails.value", false)
	}
	if e.Value != nil {
		u.Email = strings.TrimSpace(*e.Value)
	}
	return nil
}

// selectsAddress reports whether a value filter on emails picks the person's address. A
// filter for another type, or for a non-primary email, picks nothing Gatehouse keeps; a
// filter for another address is noTarget (RFC 7644 §3.5.2.3).
func selectsAddress(addr string, where []comparison) (bool, error) {
	for _, c := range where {
		s, _ := c.value.(string)
		switch c.sub {
		case "type":
			if !strings.EqualFold(s, "work") {
				return false, nil
			}
		case "primary":
			if c.value != true {
				return false, nil
			}
		case "value":
		default:
			return false, badRequest(typeInvalidFilter, "emails can be selected by type, primary or value only")
		}
	}
	for _, c := range where {
		if s, _ := c.value.(string); c.sub == "value" && !strings.EqualFold(strings.TrimSpace(s), addr) {
			return false, badRequest(typeNoTarget, "the user has no email matching the filter")
		}
	}
	return true, nil
}

// diffUser returns what changes from before to after. Addresses compare case-insensitively,
// as the domain lower-cases them.
func diffUser(before, after User) UserChange {
	var c UserChange
	str := func(b, a string) *string {
		if a == b {
			return nil
		}
		return &a
	}
	if after.Active != before.Active {
		c.Active = &after.Active
	}
	if !strings.EqualFold(strings.TrimSpace(before.Email), strings.TrimSpace(after.Email)) {
		c.Email = &after.Email
	}
	c.UserName = str(before.UserName, after.UserName)
	c.ExternalID = str(before.ExternalID, after.ExternalID)
	c.GivenName = str(before.GivenName, after.GivenName)
	c.FamilyName = str(before.FamilyName, after.FamilyName)
	c.DisplayName = str(before.DisplayName, after.DisplayName)
	return c
}
