package org

import (
	"errors"
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Ada LOVELACE":        "ada lovelace",
		"\u00c9lodie":         "\u00e9lodie", // composed
		"E\u0301lodie":        "\u00e9lodie", // decomposed, composed once lower-cased
		"ÅNGSTRÖM":            "ångström",
		"ada@example.com":     "ada@example.com",
		"":                    "",
		"Zoë Ñúñez 李雷":        "zoë ñúñez 李雷",
		"\u0130stanbul (ist)": "istanbul (ist)",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeSearch(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"  ada ", "ada", true},
		{"", "", true},
		{strings.Repeat("ü", 100), strings.Repeat("ü", 100), true},
		{strings.Repeat("ü", 101), "", false},
		{"ada\nbob", "", false},
		{"ada\x00", "", false},
		{"\xff", "", false},
	} {
		got, err := NormalizeSearch("q", c.in)
		var verr *ValidationError
		switch {
		case c.ok && (err != nil || got != c.want):
			t.Errorf("NormalizeSearch(%q) = %q, %v; want %q", c.in, got, err, c.want)
		case !c.ok && (!errors.As(err, &verr) || verr.Fields[0].Field != "q" || verr.Fields[0].Code != "invalid_query"):
			t.Errorf("NormalizeSearch(%q) = %q, %v; want invalid_query on q", c.in, got, err)
		}
	}
}
