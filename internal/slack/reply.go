package slack

import (
	"strings"
	"unicode/utf8"
)

// Reply is a slash command's answer as Block Kit JSON. Every reply is ephemeral: only the
// person who typed the command sees it.
type Reply struct {
	ResponseType string  `json:"response_type"`
	Text         string  `json:"text"` // the notification and fallback text
	Blocks       []block `json:"blocks,omitempty"`
}

type block struct {
	Type     string  `json:"type"`
	Text     *text   `json:"text,omitempty"`
	Elements []*text `json:"elements,omitempty"`
}

type text struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// maxSectionText is Slack's limit on a section's text.
const maxSectionText = 3000

// reply builds an ephemeral reply: a headline, then one section per paragraph, then an
// optional context line.
func reply(headline string, paragraphs []string, footnote string) Reply {
	r := Reply{ResponseType: "ephemeral", Text: headline}
	r.Blocks = append(r.Blocks, section(headline))
	for _, p := range paragraphs {
		r.Blocks = append(r.Blocks, section(p))
	}
	if footnote != "" {
		r.Blocks = append(r.Blocks, block{Type: "context", Elements: []*text{{Type: "mrkdwn", Text: footnote}}})
	}
	return r
}

func section(s string) block {
	if len(s) > maxSectionText {
		// Cut at the last whole line that fits, or else at a rune boundary.
		cut := strings.LastIndexByte(s[:maxSectionText-4], '\n')
		if cut <= 0 {
			cut = maxSectionText - 4
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
		}
		s = s[:cut] + "\n…"
	}
	return block{Type: "section", Text: &text{Type: "mrkdwn", Text: s}}
}

// escape makes s safe inside mrkdwn: Slack reads &, < and > as control characters.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
