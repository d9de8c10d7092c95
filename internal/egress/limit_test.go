package egress

import (
	"errors"
	"strings"
	"testing"
)

func TestReadAll(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		limit int64
		want  error
	}{
		{name: "under the limit", body: "abc", limit: 4},
		{name: "at the limit", body: "abcd", limit: 4},
		{name: "one byte over", body: "abcde", limit: 4, want: ErrTooLarge},
		{name: "far over", body: strings.Repeat("x", 1<<16), limit: 10, want: ErrTooLarge},
		{name: "empty", body: "", limit: 0},
		{name: "nothing allowed", body: "a", limit: 0, want: ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadAll(strings.NewReader(tc.body), tc.limit)
			if !errors.Is(err, tc.want) {
				t.Fatalf("ReadAll: %v, want %v", err, tc.want)
			}
			if tc.want == nil && string(got) != tc.body {
				t.Errorf("ReadAll = %q, want %q", got, tc.body)
			}
			var le *LimitError
			if tc.want != nil && (!errors.As(err, &le) || le.Limit != tc.limit) {
				t.Errorf("error %v is not a *LimitError of %d", err, tc.limit)
			}
		})
	}
}
