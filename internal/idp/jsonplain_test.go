package idp

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzPlainJSON holds plainGraphMember to encoding/json: any JSON value decodes to the same
// member, or fails with the same error, as it does into a graphMember.
func FuzzPlainJSON(f *testing.F) {
	for _, s := range []string{
		`{"@odata.type":"#microsoft.graph.user","id":"1","displayName":"A B","givenName":"A","surname":"B","mail":"a@example.com","userPrincipalName":"a@example.com","accountEnabled":true}`,
		`{"id":"2","givenName":"Zo\u00eb","surname":"N\"x","mail":"b@EXAMPLE.com","accountEnabled":"False"}`,
		`{"ID":"3","Mail":"c@example.com","accountenabled":false}`,
		`{"id":"4","mail":"d@example.com","mail":null,"accountEnabled":false,"accountEnabled":null}`,
		`{"id":5}`, `{"mail":true}`, `{"mail":{"a":[1,"]"]}}`, `{"accountEnabled":{"a": [1, 2]}}`, `{"accountEnabled":" TRUE "}`,
		`{"givenName":"K\u212aelvin","surnam\u0065":"Esc"}`, `{"ſurname":"Long s"}`, "{\"givenName\":\"Inv\xffalid\"}",
		`{"x":{"mail":"no"},"y":[{"id":"z"}],"mail":"m@example.com"}`, `{ "id" : "17" , "mail" : "q" }`, `{}`, `null`, `"s"`,
		`[1]`, `12`, `true`, `{"id":"1","id":null}`, `{"id":"<&>"}`, `{"id":"\ud800"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !json.Valid([]byte(raw)) {
			return
		}
		var want graphMember
		werr := json.Unmarshal([]byte(raw), &want)
		var got plainGraphMember
		gerr := json.Unmarshal([]byte(raw), &got)
		if fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Fatalf("%s: error %v, want %v", raw, gerr, werr)
		}
		if diff := cmp.Diff(want, got.m, cmp.AllowUnexported(flexBool{})); werr == nil && diff != "" {
			t.Fatalf("%s: mismatch (-want +got):\n%s", raw, diff)
		}
	})
}
