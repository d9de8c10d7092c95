package scim

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// MaxCount is the most resources one list answer holds (the ServiceProviderConfig's
// filter.maxResults); a larger count is lowered to it, and an absent count means it.
const MaxCount = 100

// listSchema is the URN of RFC 7644's ListResponse message.
const listSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"

// listResponse is a page of resources (RFC 7644 §3.4.2).
type listResponse[T any] struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []T      `json:"Resources"`
}

func newList[T any](resources []T, total, startIndex int) listResponse[T] {
	if resources == nil {
		resources = []T{}
	}
	return listResponse[T]{Schemas: []string{listSchema}, TotalResults: total, StartIndex: startIndex, ItemsPerPage: len(resources), Resources: resources}
}

// listParams is what a list request asks for.
type listParams struct {
	filter     string // "" for none
	startIndex int    // 1-based, at least 1
	count      int    // 0 to MaxCount
}

// page is the backend's view of the same slice.
func (p listParams) page() Page { return Page{Offset: p.startIndex - 1, Count: p.count} }

// readListParams reads filter, startIndex and count (RFC 7644 §3.4.2.4): startIndex below
// 1 means 1, a negative count means 0, a count above MaxCount means MaxCount. Values that
// are not integers are refused with invalidValue.
func readListParams(q url.Values) (listParams, error) {
	p := listParams{filter: strings.TrimSpace(q.Get("filter")), startIndex: 1, count: MaxCount}
	var err error
	if s := q.Get("startIndex"); s != "" {
		if p.startIndex, err = clampedInt(s, "startIndex", 1, maxStartIndex); err != nil {
			return listParams{}, err
		}
	}
	if s := q.Get("count"); s != "" {
		if p.count, err = clampedInt(s, "count", 0, MaxCount); err != nil {
			return listParams{}, err
		}
	}
	return p, nil
}

// maxStartIndex keeps Offset+Count within an int on every platform.
const maxStartIndex = 1 << 30

// clampedInt parses an integer and brings it within [lo, hi]; integers too large to parse
// are clamped too.
func clampedInt(s, name string, lo, hi int) (int, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	var numErr *strconv.NumError
	switch {
	case err == nil:
	case errors.As(err, &numErr) && errors.Is(numErr.Err, strconv.ErrRange):
		if strings.HasPrefix(strings.TrimSpace(s), "-") {
			return lo, nil
		}
		return hi, nil
	default:
		return 0, badRequest(typeInvalidValue, "%s must be an integer", name)
	}
	return int(max(int64(lo), min(n, int64(hi)))), nil
}

// includeMembers reports whether a group answer should list members: not when the client
// excluded them (excludedAttributes=members, as Entra ID asks) or asked for other
// attributes only (attributes=id).
func includeMembers(q url.Values) bool {
	listed := func(param string) bool {
		for _, a := range strings.Split(q.Get(param), ",") {
			a = strings.ToLower(strings.TrimSpace(a))
			if a == "members" || strings.HasSuffix(a, ":members") || strings.HasPrefix(a, "members.") {
				return true
			}
		}
		return false
	}
	if listed("excludedAttributes") {
		return false
	}
	return q.Get("attributes") == "" || listed("attributes")
}
