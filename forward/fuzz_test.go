package forward

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/polytomic-mcp/polytomic-mcp/internal/testapi"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// FuzzBuildRequest: whatever the agent sends, a request that gets built goes
// to the configured scheme and host, under /api/, with no CR or LF in any
// header value.
func FuzzBuildRequest(f *testing.F) {
	seeds := []struct{ opID, method, path, param, qk, qv, idem, org string }{
		{"bulkSync_get", "", "", "abc", "", "", "", ""},
		{"", "GET", "/api/bulk/syncs/{id}", "../../admin", "limit", "5", "", ""},
		{"", "GET", "/api/bulk/syncs/%2e%2e/x", "", "", "", "", ""},
		{"", "POST", "//evil.example/api/x", "", "", "", "k\r\nX: 1", ""},
		{"", "GET", "http://evil/api/me", "", "", "", "", ""},
		{"bulkSync_executions_list", "", "", "a\r\nb", "only_terminal", "true\r\nX-Evil: 1", "", "org\n1"},
		{"", "DELETE", "/api/webhooks/{id}", "x?y#z", "", "", "", ""},
		{"", "GET", "/api/brand/new/{id}", "é/..", "a", "b", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.opID, s.method, s.path, s.param, s.qk, s.qv, s.idem, s.org)
	}
	ix, err := spec.Embedded()
	if err != nil {
		f.Fatal(err)
	}
	fwd, err := New(Config{APIURL: "https://api.example.com/base", PartnerMode: true, AllowUnlisted: true}, testapi.Keys{Key: "k"}, spec.Embedded, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, opID, method, path, param, qk, qv, idem, org string) {
		req := Request{OperationID: opID, Method: method, Path: path, IdempotencyKey: idem, OrganizationID: org}
		if opID != "" {
			req.Params = map[string]any{"id": param, qk: qv}
		} else {
			req.PathParams = map[string]any{"id": param}
			req.Query = map[string]any{qk: qv}
		}
		p, err := buildPlan(ix, req, true)
		if err != nil {
			return
		}
		p.apiVersion = "2025-09-18"
		hr, err := fwd.newRequest(context.Background(), p, p.query, "k")
		if err != nil {
			return
		}
		if hr.URL.Scheme != "https" || hr.URL.Host != "api.example.com" {
			t.Fatalf("request left the API host: %s", hr.URL)
		}
		if !strings.HasPrefix(hr.URL.EscapedPath(), "/base/api/") {
			t.Fatalf("path not under /api/: %s", hr.URL.EscapedPath())
		}
		if u, err := url.Parse(hr.URL.String()); err != nil || u.Host != "api.example.com" {
			t.Fatalf("URL does not round-trip to the API host: %s", hr.URL)
		}
		for k, vs := range hr.Header {
			for _, v := range vs {
				if strings.ContainsAny(v, "\r\n") {
					t.Fatalf("header %s has CR/LF: %q", k, v)
				}
			}
		}
	})
}
