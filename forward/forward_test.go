package forward

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/polytomic-mcp/polytomic-mcp/internal/testapi"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

type fakeAPI = testapi.Server

var newFakeAPI = testapi.New

const testKey = testapi.Key

func embedded(t testing.TB) func() (*spec.Index, error) {
	t.Helper()
	if _, err := spec.Embedded(); err != nil {
		t.Fatal(err)
	}
	return spec.Embedded
}

// newTestForwarder builds a forwarder against api whose retry waits are
// recorded instead of slept.
func newTestForwarder(t *testing.T, api *fakeAPI, mod func(*Config)) (*Forwarder, *[]time.Duration) {
	t.Helper()
	cfg := Config{APIURL: api.URL, UserAgent: "polytomic-mcp/test", Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	f, err := New(cfg, testapi.Keys{Key: testKey}, embedded(t), api.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	var mu sync.Mutex
	f.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return f, &waits
}

func TestExecuteHeadersPerMode(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*Config)
		req    Request
		want   map[string]string
		absent []string
	}{
		{
			name:   "user GET",
			req:    Request{OperationID: "bulkSync_list"},
			want:   map[string]string{"Authorization": "Bearer " + testKey, "X-Polytomic-Version": "2025-09-18", "User-Agent": "polytomic-mcp/test", "Accept": "application/json"},
			absent: []string{"Content-Type", "Idempotency-Key", "X-Polytomic-Access-Mode", "X-Polytomic-Auth-Mode", "X-Polytomic-Partner-Org-Id"},
		},
		{
			name: "read-only GET",
			mod:  func(c *Config) { c.ReadOnly = true },
			req:  Request{OperationID: "bulkSync_list"},
			want: map[string]string{"X-Polytomic-Access-Mode": "read-only"},
		},
		{
			name: "partner with default org",
			mod:  func(c *Config) { c.PartnerMode, c.PartnerOrgID = true, "org-1" },
			req:  Request{OperationID: "organization_list"},
			want: map[string]string{"X-Polytomic-Auth-Mode": "partner", "X-Polytomic-Partner-Org-Id": "org-1"},
		},
		{
			name: "partner with per-call org",
			mod:  func(c *Config) { c.PartnerMode, c.PartnerOrgID = true, "org-1" },
			req:  Request{OperationID: "bulkSync_list", OrganizationID: "org-2"},
			want: map[string]string{"X-Polytomic-Partner-Org-Id": "org-2"},
		},
		{
			name: "POST with given idempotency key",
			req:  Request{OperationID: "bulkSync_activate", Params: map[string]any{"id": "s1"}, Body: json.RawMessage(`{"active":true}`), IdempotencyKey: "key-123"},
			want: map[string]string{"Content-Type": "application/json", "Idempotency-Key": "key-123"},
		},
		{
			name: "explicit API version",
			mod:  func(c *Config) { c.APIVersion = "2024-01-01" },
			req:  Request{OperationID: "identity_get"},
			want: map[string]string{"X-Polytomic-Version": "2024-01-01"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, nil)
			f, _ := newTestForwarder(t, api, tt.mod)
			res, err := f.Execute(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != 200 {
				t.Fatalf("status %d", res.Status)
			}
			reqs := api.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			for k, v := range tt.want {
				if got := reqs[0].Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			for _, k := range tt.absent {
				if got := reqs[0].Header.Get(k); got != "" {
					t.Errorf("%s = %q, want none", k, got)
				}
			}
		})
	}
}

func TestExecuteGeneratesIdempotencyKey(t *testing.T) {
	api := newFakeAPI(t, nil)
	f, _ := newTestForwarder(t, api, nil)
	for i := 0; i < 2; i++ {
		if _, err := f.Execute(context.Background(), Request{OperationID: "bulkSync_cancel", Params: map[string]any{"id": "s1"}}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := api.Requests()
	k1, k2 := reqs[0].Header.Get("Idempotency-Key"), reqs[1].Header.Get("Idempotency-Key")
	if len(k1) != 36 || k1 == k2 {
		t.Errorf("generated keys %q %q: want distinct UUIDs", k1, k2)
	}
}

func TestExecutePlacesAndEscapesParams(t *testing.T) {
	api := newFakeAPI(t, nil)
	f, _ := newTestForwarder(t, api, nil)
	calls := []struct {
		req               Request
		rawPath, rawQuery string
	}{
		{Request{OperationID: "bulkSync_executions_list", Params: map[string]any{"id": "a b", "only_terminal": true, "limit": 10.0}},
			"/api/bulk/syncs/a%20b/executions", "limit=10&only_terminal=true"},
		{Request{Method: "GET", Path: "/api/bulk/syncs/{sync_id}/schedules/{schedule_id}", PathParams: map[string]any{"sync_id": "s:1", "schedule_id": "é"}},
			"/api/bulk/syncs/s:1/schedules/%C3%A9", ""},
		{Request{Method: "get", Path: "/api/bulk/syncs/abc/executions", Query: map[string]any{"ascending": false}},
			"/api/bulk/syncs/abc/executions", "ascending=false"},
		{Request{OperationID: "bulkSync_executions_listStatus", Params: map[string]any{"sync_id": []any{"x", "y"}}},
			"/api/bulk/syncs/status", "sync_id=x&sync_id=y"},
		{Request{OperationID: "bulkSync_schemas_list", Params: map[string]any{"id": "s1", "filters": map[string]any{"enabled": "true"}}},
			"/api/bulk/syncs/s1/schemas", "enabled=true"},
	}
	for _, c := range calls {
		if _, err := f.Execute(context.Background(), c.req); err != nil {
			t.Fatalf("%+v: %v", c.req, err)
		}
	}
	for i, r := range api.Requests() {
		if r.RawPath != calls[i].rawPath || r.RawQuery != calls[i].rawQuery {
			t.Errorf("call %d: %s ? %s, want %s ? %s", i, r.RawPath, r.RawQuery, calls[i].rawPath, calls[i].rawQuery)
		}
	}
}

// Every refusal happens before any I/O: the fake sees nothing.
func TestExecuteRefusals(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		req  Request
		want string
	}{
		{"unknown operation", nil, Request{OperationID: "bulkSync_lst"}, "nearest: bulkSync_list"},
		{"both forms", nil, Request{OperationID: "bulkSync_list", Method: "GET", Path: "/api/bulk/syncs"}, "not both"},
		{"nothing", nil, Request{}, "name the call"},
		{"missing path param", nil, Request{OperationID: "bulkSync_get"}, `missing path parameter "id"`},
		{"slash in path param", nil, Request{OperationID: "bulkSync_get", Params: map[string]any{"id": "a/b"}}, "must not contain /"},
		{"dotdot path param", nil, Request{OperationID: "bulkSync_get", Params: map[string]any{"id": ".."}}, `path parameter "id" must not be . or contain ..`},
		{"dot path param", nil, Request{OperationID: "bulkSync_activate", Params: map[string]any{"id": "."}, Body: json.RawMessage(`{"active":false}`)}, `path parameter "id" must not be .`},
		{"dot delete", nil, Request{Method: "DELETE", Path: "/api/bulk/syncs/{id}", PathParams: map[string]any{"id": "."}}, `must not be .`},
		{"dot concrete segment", nil, Request{Method: "POST", Path: "/api/bulk/syncs/./activate"}, ". or .. segments"},
		{"encoded dot segment", nil, Request{Method: "DELETE", Path: "/api/bulk/syncs/%2E"}, "encoded dots"},
		{"blank organization", func(c *Config) { c.PartnerMode, c.PartnerOrgID = true, "o1" }, Request{OperationID: "identity_get", OrganizationID: "  "}, "organization_id is blank"},
		{"NUL in method", nil, Request{Method: "GET\x00", Path: "/api/me"}, `method must be GET, POST, PUT, PATCH or DELETE, got "GET\x00"`},
		{"HEAD is not an API method", nil, Request{Method: "HEAD", Path: "/api/me"}, "method must be"},
		{"method override in the query", func(c *Config) { c.AllowUnlisted, c.ReadOnly = true, true }, Request{Method: "GET", Path: "/api/brand/new", Query: map[string]any{"_METHOD": "DELETE"}}, "overrides the HTTP method"},
		{"parameter spanning segments", nil, Request{Method: "DELETE", Path: "/api/connections/{a/schemas/{b}/fields/{c}", PathParams: map[string]any{"a/schemas/{b": "C1", "c": "F1"}}, "a parameter is one whole segment"},
		{"idempotency key on a PUT", nil, Request{Method: "PUT", Path: "/api/webhooks/{id}", PathParams: map[string]any{"id": "w"}, Body: json.RawMessage(`{}`), IdempotencyKey: "k1"}, "does not honour Idempotency-Key"},
		{"idempotency key on an unlisted POST", func(c *Config) { c.AllowUnlisted = true }, Request{Method: "POST", Path: "/api/brand/new", IdempotencyKey: "k1"}, "does not honour Idempotency-Key"},
		{"encoded dots", nil, Request{OperationID: "bulkSync_get", Params: map[string]any{"id": "%2e%2e"}}, "encoded dots"},
		{"question mark", nil, Request{OperationID: "bulkSync_get", Params: map[string]any{"id": "a?b=1"}}, "must not contain /, ?"},
		{"crlf in param", nil, Request{OperationID: "bulkSync_get", Params: map[string]any{"id": "a\r\nX-Evil: 1"}}, "control character"},
		{"object path param", nil, Request{OperationID: "bulkSync_get", Params: map[string]any{"id": map[string]any{}}}, "must be a string, number or boolean"},
		{"absolute URL", nil, Request{Method: "GET", Path: "https://evil.example/api/me"}, "not a URL"},
		{"scheme-relative", nil, Request{Method: "GET", Path: "//evil.example/api/me"}, "not a URL"},
		{"outside /api", nil, Request{Method: "GET", Path: "/admin/users"}, "must start with /api/"},
		{"dotdot path", nil, Request{Method: "GET", Path: "/api/../admin"}, ". or .. segments"},
		{"encoded dotdot path", nil, Request{Method: "GET", Path: "/api/bulk/syncs/%2e%2e/executions"}, "encoded dots"},
		{"query in path", nil, Request{Method: "GET", Path: "/api/bulk/syncs?x=1"}, "must not contain ? or #"},
		{"unlisted", nil, Request{Method: "GET", Path: "/api/brand/new"}, "not in the API snapshot"},
		{"unknown query", nil, Request{OperationID: "bulkSync_list", Params: map[string]any{"colour": "red"}}, `unknown parameter "colour" for bulkSync_list; valid query parameters: active`},
		{"body on GET", nil, Request{OperationID: "bulkSync_list", Body: json.RawMessage(`{"a":1}`)}, "GET takes no body"},
		{"body on DELETE", nil, Request{OperationID: "bulkSync_delete", Params: map[string]any{"id": "x"}, Body: json.RawMessage(`{}`)}, "DELETE takes no body"},
		{"bad JSON body", nil, Request{OperationID: "bulkSync_activate", Params: map[string]any{"id": "x"}, Body: json.RawMessage(`{`)}, "not valid JSON"},
		{"missing body", nil, Request{OperationID: "bulkSync_activate", Params: map[string]any{"id": "x"}}, "needs a JSON body"},
		{"crlf idempotency key", nil, Request{OperationID: "bulkSync_cancel", Params: map[string]any{"id": "x"}, IdempotencyKey: "a\r\nb"}, "idempotency_key must be printable ASCII"},
		{"org id in user mode", nil, Request{OperationID: "bulkSync_list", OrganizationID: "o"}, "only in partner mode"},
		{"read-only POST", func(c *Config) { c.ReadOnly = true }, Request{OperationID: "bulkSync_cancel", Params: map[string]any{"id": "x"}}, "refused in read-only mode: POST"},
		{"read-only PUT", func(c *Config) { c.ReadOnly = true }, Request{Method: "PUT", Path: "/api/bulk/syncs/x", Body: json.RawMessage(`{}`)}, "refused in read-only mode: PUT"},
		{"read-only PATCH", func(c *Config) { c.ReadOnly = true }, Request{Method: "PATCH", Path: "/api/bulk/syncs/x/schemas", Body: json.RawMessage(`{}`)}, "refused in read-only mode: PATCH"},
		{"read-only DELETE", func(c *Config) { c.ReadOnly = true }, Request{Method: "DELETE", Path: "/api/bulk/syncs/x"}, "refused in read-only mode: DELETE"},
		{"bad filter", nil, Request{OperationID: "bulkSync_list", ResponseFilter: "data\n"}, "control characters"},
		{"max pages", nil, Request{OperationID: "bulkSync_list", MaxPages: 99}, "max_pages must be between"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, nil)
			f, _ := newTestForwarder(t, api, tt.mod)
			_, err := f.Execute(context.Background(), tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if n := len(api.Requests()); n != 0 {
				t.Errorf("%d requests reached the API", n)
			}
		})
	}
}

func TestExecuteNoKey(t *testing.T) {
	api := newFakeAPI(t, nil)
	f, err := New(Config{APIURL: api.URL}, testapi.Keys{}, embedded(t), api.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Execute(context.Background(), Request{OperationID: "identity_get"})
	if !errors.Is(err, testapi.ErrNoKey) || !strings.Contains(err.Error(), "polytomic-mcp login") {
		t.Errorf("err = %v", err)
	}
}

// Writes are retried only where the description says the operation honours
// Idempotency-Key; an unlisted write gets no invented key and one attempt.
func TestExecuteRetriesOnlyIdempotentWrites(t *testing.T) {
	tests := []struct {
		name      string
		unlisted  bool
		req       Request
		wantTries int
		wantKey   bool
	}{
		{"listed POST with x-idempotency-key", false, Request{OperationID: "bulkSync_cancel", Params: map[string]any{"id": "s1"}}, 3, true},
		{"PUT", false, Request{Method: "PUT", Path: "/api/webhooks/{id}", PathParams: map[string]any{"id": "w"}, Body: json.RawMessage(`{"endpoint":"https://x","secret":"s"}`)}, 1, false},
		{"DELETE", false, Request{Method: "DELETE", Path: "/api/webhooks/{id}", PathParams: map[string]any{"id": "w"}}, 1, false},
		{"unlisted POST", true, Request{Method: "POST", Path: "/api/brand/new"}, 1, false},
		{"GET", false, Request{OperationID: "identity_get"}, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(http.StatusServiceUnavailable) })
			f, _ := newTestForwarder(t, api, func(c *Config) { c.AllowUnlisted = tt.unlisted })
			if _, err := f.Execute(context.Background(), tt.req); err != nil {
				t.Fatal(err)
			}
			reqs := api.Requests()
			if len(reqs) != tt.wantTries {
				t.Errorf("%d attempts, want %d", len(reqs), tt.wantTries)
			}
			if got := reqs[0].Header.Get("Idempotency-Key") != ""; got != tt.wantKey {
				t.Errorf("Idempotency-Key sent = %v, want %v", got, tt.wantKey)
			}
		})
	}
}

// Keys inside a free-form object parameter pass the same name check as
// top-level ones.
func TestExecuteChecksNestedQueryNames(t *testing.T) {
	api := newFakeAPI(t, nil)
	f, _ := newTestForwarder(t, api, func(c *Config) { c.AllowUnlisted = true })
	_, err := f.Execute(context.Background(), Request{Method: "GET", Path: "/api/brand/new", Query: map[string]any{"": "x"}})
	if err == nil {
		t.Fatal("empty name accepted")
	}
	ix := embedded(t)
	index, _ := ix()
	for _, op := range index.API().Operations {
		for _, p := range op.Params {
			if p.In != "query" || p.Type != "object" {
				continue
			}
			params := map[string]any{p.Name: map[string]any{"a\x00b": "1"}}
			for _, pp := range op.Params {
				if pp.In == "path" {
					params[pp.Name] = "x"
				}
			}
			_, err := f.Execute(context.Background(), Request{OperationID: op.ID, Params: params})
			if err == nil || !strings.Contains(err.Error(), "control character") {
				t.Errorf("%s: nested name with NUL: err = %v", op.ID, err)
			}
			return
		}
	}
	t.Fatal("no operation with a free-form object query parameter in this snapshot")
}

// In partner mode the organization the call acts in fills {org_id} when
// the agent leaves it out; an explicit one wins.
func TestExecuteFillsDefaultOrg(t *testing.T) {
	tests := []struct {
		name     string
		req      Request
		wantPath string
	}{
		{"configured org", Request{OperationID: "users_list"}, "/api/organizations/org-default/users"},
		{"organization_id", Request{OperationID: "users_list", OrganizationID: "org-call"}, "/api/organizations/org-call/users"},
		{"explicit org_id", Request{OperationID: "users_list", Params: map[string]any{"org_id": "org-param"}}, "/api/organizations/org-param/users"},
		{"method and template", Request{Method: "GET", Path: "/api/organizations/{org_id}/users"}, "/api/organizations/org-default/users"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, nil)
			f, _ := newTestForwarder(t, api, func(c *Config) { c.PartnerMode, c.PartnerOrgID = true, "org-default" })
			if _, err := f.Execute(context.Background(), tt.req); err != nil {
				t.Fatal(err)
			}
			if got := api.Requests()[0].Path; got != tt.wantPath {
				t.Errorf("path %s, want %s", got, tt.wantPath)
			}
		})
	}
}

func TestExecuteAllowUnlisted(t *testing.T) {
	api := newFakeAPI(t, nil)
	f, _ := newTestForwarder(t, api, func(c *Config) { c.AllowUnlisted = true })
	res, err := f.Execute(context.Background(), Request{Method: "GET", Path: "/api/brand/new/{id}", PathParams: map[string]any{"id": "x y"}, Query: map[string]any{"anything": "goes"}})
	if err != nil {
		t.Fatal(err)
	}
	if r := api.Requests()[0]; r.RawPath != "/api/brand/new/x%20y" || r.RawQuery != "anything=goes" {
		t.Errorf("sent %s ? %s", r.RawPath, r.RawQuery)
	}
	if len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "unlisted") {
		t.Errorf("notes = %v", res.Notes)
	}
	// Still refused: a path outside /api/.
	if _, err := f.Execute(context.Background(), Request{Method: "GET", Path: "/internal/x"}); err == nil {
		t.Error("unlisted non-/api/ path was allowed")
	}
}

func TestValidateAPIURL(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://app.polytomic.com":            true,
		"https://polytomic.internal:8443/base": true,
		"http://localhost:8080":                true,
		"http://127.0.0.5":                     true,
		"http://[::1]:9000":                    true,
		"http://app.polytomic.com":             false,
		"http://10.0.0.1":                      false,
		"ftp://x":                              false,
		"https://user:pw@x.com":                false,
		"not a url":                            false,
		"https://x.com/?q=1":                   false,
	} {
		if _, err := ValidateAPIURL(u); (err == nil) != ok {
			t.Errorf("ValidateAPIURL(%q) err = %v, want ok=%v", u, err, ok)
		}
	}
}

func TestExecuteRefusesCrossHostRedirect(t *testing.T) {
	other := newFakeAPI(t, nil)
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		http.Redirect(w, r, other.URL+"/api/me", http.StatusFound)
	})
	f, _ := newTestForwarder(t, api, nil)
	_, err := f.Execute(context.Background(), Request{OperationID: "identity_get"})
	if err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Error("error message contains the key")
	}
	if n := len(other.Requests()); n != 0 {
		t.Errorf("the other host saw %d requests", n)
	}
}

// A write's redirect is handed back, not followed: a 307/308 would re-send
// the body to another resource.
func TestExecuteDoesNotFollowWriteRedirects(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		http.Redirect(w, r, "/api/bulk/syncs/other/cancel", http.StatusTemporaryRedirect)
	})
	f, _ := newTestForwarder(t, api, nil)
	res, err := f.Execute(context.Background(), Request{OperationID: "bulkSync_cancel", Params: map[string]any{"id": "s1"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(api.Requests()); n != 1 || res.Status != http.StatusTemporaryRedirect {
		t.Fatalf("%d requests, status %d: the POST was re-sent", n, res.Status)
	}
	if res.Headers["location"] != "/api/bulk/syncs/other/cancel" || len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "not re-sent") {
		t.Errorf("headers %v notes %v", res.Headers, res.Notes)
	}
}

// A read's redirect is followed only under /api/ on the same host, and
// only to a path that would pass as one the agent gave.
func TestExecuteRefusesRedirectOutOfAPI(t *testing.T) {
	for _, loc := range []string{"/admin/export", "/api/%2e%2e/admin", "/api/..%2fadmin", "/api/%5c..%5cadmin"} {
		api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Header().Set("Location", loc)
			w.WriteHeader(http.StatusFound)
		})
		f, _ := newTestForwarder(t, api, nil)
		_, err := f.Execute(context.Background(), Request{OperationID: "identity_get"})
		if err == nil || !strings.Contains(err.Error(), "out of the API") {
			t.Errorf("%s: err = %v", loc, err)
		}
		if n := len(api.Requests()); n != 1 {
			t.Errorf("%s: %d requests: the redirect was followed", loc, n)
		}
	}
}

func TestExecuteFollowsSameHostRedirect(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			http.Redirect(w, r, "/api/me/", http.StatusTemporaryRedirect)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":{"id":"u1"}}`)
	})
	f, _ := newTestForwarder(t, api, nil)
	res, err := f.Execute(context.Background(), Request{OperationID: "identity_get"})
	if err != nil || res.Status != 200 {
		t.Fatalf("%v %v", res, err)
	}
	if got := api.Requests()[1].Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("same-host redirect lost the key: %q", got)
	}
	if res.MovedTo != "/api/me/" {
		t.Errorf("moved_to = %q, want the path that answered", res.MovedTo)
	}
}

func TestExecuteRetries(t *testing.T) {
	tests := []struct {
		name      string
		statuses  []int
		header    map[string]string
		req       Request
		wantReqs  int
		wantFinal int
		wantWaits []time.Duration // exact, when set
	}{
		{"429 honours Retry-After", []int{429, 200}, map[string]string{"Retry-After": "2"}, Request{OperationID: "bulkSync_list"}, 2, 200, []time.Duration{2 * time.Second}},
		{"503 then 502 then 200", []int{503, 502, 200}, nil, Request{OperationID: "bulkSync_list"}, 3, 200, nil},
		{"gives up after 3", []int{500, 500, 500, 500}, nil, Request{OperationID: "bulkSync_list"}, 3, 500, nil},
		{"501 is not retried", []int{501, 200}, nil, Request{OperationID: "bulkSync_list"}, 1, 501, nil},
		{"504 three times", []int{504, 504, 504, 504}, nil, Request{OperationID: "bulkSync_list"}, 3, 504, nil},
		{"POST with generated key retries", []int{503, 200}, nil, Request{OperationID: "bulkSync_cancel", Params: map[string]any{"id": "x"}}, 2, 200, nil},
		{"PATCH is not retried", []int{503, 200}, nil, Request{OperationID: "bulkSync_schemas_patch", Params: map[string]any{"id": "x"}, Body: json.RawMessage(`{}`)}, 1, 503, nil},
		{"Retry-After beyond 30s is not waited for", []int{429, 200}, map[string]string{"Retry-After": "120"}, Request{OperationID: "bulkSync_list"}, 1, 429, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.statuses[min(n-1, len(tt.statuses)-1)])
				io.WriteString(w, `{"message":"try again","status":503}`)
			})
			f, waits := newTestForwarder(t, api, nil)
			res, err := f.Execute(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(api.Requests()); n != tt.wantReqs || res.Status != tt.wantFinal {
				t.Errorf("%d requests, final %d; want %d, %d", n, res.Status, tt.wantReqs, tt.wantFinal)
			}
			if tt.wantWaits != nil && (len(*waits) != len(tt.wantWaits) || (*waits)[0] != tt.wantWaits[0]) {
				t.Errorf("waits = %v, want %v", *waits, tt.wantWaits)
			}
			reqs := api.Requests()
			if len(reqs) > 1 && reqs[0].Header.Get("Idempotency-Key") != reqs[1].Header.Get("Idempotency-Key") {
				t.Error("a retried POST changed its idempotency key")
			}
		})
	}
}

func TestExecuteRetriesConnectionErrors(t *testing.T) {
	api := newFakeAPI(t, nil)
	url := api.URL
	api.Close() // nothing listens now
	f, err := New(Config{APIURL: url}, testapi.Keys{Key: testKey}, embedded(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var waits int
	f.sleep = func(context.Context, time.Duration) error { waits++; return nil }
	_, err = f.Execute(context.Background(), Request{OperationID: "bulkSync_list"})
	if err == nil || !strings.Contains(err.Error(), "connection refused") || waits != 2 {
		t.Errorf("err = %v after %d waits; want connection refused after 2", err, waits)
	}
}

func TestExecuteErrorsCarryHints(t *testing.T) {
	tests := []struct {
		status int
		body   string
		op     string
		want   []string
	}{
		{401, `{"message":"invalid api key","status":401}`, "identity_get", []string{"invalid api key", "polytomic-mcp login"}},
		{403, `{"message":"forbidden"}`, "organization_list", []string{"forbidden", "partner key"}},
		{403, `{"message":"forbidden"}`, "bulkSync_list", []string{"role and permissions"}},
		{404, `{"message":"not found"}`, "identity_get", []string{"check the ids"}},
		{409, `{"message":"in flight"}`, "identity_get", []string{"idempotency"}},
		{422, `{"message":"invalid","metadata":{"name":"required"}}`, "identity_get", []string{`details: {"name":"required"}`, "search operation=identity_get"}},
		{400, `plain text failure`, "identity_get", []string{"plain text failure"}},
	}
	// A partner key on an endpoint partner keys do not reach.
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(403) })
	f, _ := newTestForwarder(t, api, func(c *Config) { c.PartnerMode = true })
	if res, err := f.Execute(context.Background(), Request{OperationID: "bulkSync_list"}); err != nil || !strings.Contains(res.Hint, "partner keys reach only") {
		t.Errorf("partner 403 hint: %v %+v", err, res)
	}
	for _, tt := range tests {
		api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
			w.WriteHeader(tt.status)
			io.WriteString(w, tt.body)
		})
		f, _ := newTestForwarder(t, api, nil)
		res, err := f.Execute(context.Background(), Request{OperationID: tt.op})
		if err != nil {
			t.Fatal(err)
		}
		md, _ := json.Marshal(res.Error.Metadata)
		text := fmt.Sprintf("%s details: %s hint: %s", res.Error.Message, md, res.Hint)
		if !res.IsError() {
			t.Errorf("%d: not an error", tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%d: text lacks %q:\n%s", tt.status, w, text)
			}
		}
	}
}

// A 401 re-reads the key store once: a login done while serving is used.
func TestExecuteReloadsKeyOn401(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if r.Header.Get("Authorization") != "Bearer new-key" {
			w.WriteHeader(401)
			return
		}
		io.WriteString(w, `{"data":{}}`)
	})
	f, err := New(Config{APIURL: api.URL}, testapi.Keys{Key: "old-key", ReloadKey: "new-key"}, embedded(t), api.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Execute(context.Background(), Request{OperationID: "identity_get"})
	if err != nil || res.Status != 200 || len(api.Requests()) != 2 {
		t.Fatalf("res %+v err %v, %d requests", res, err, len(api.Requests()))
	}
}

func TestExecuteTruncatesAndFilters(t *testing.T) {
	big := `{"data":[` + strings.Repeat(`{"id":"0123456789","name":"a sync with a long name"},`, 3000) + `{"id":"last","name":"z"}]}`
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, big)
	})
	f, _ := newTestForwarder(t, api, func(c *Config) { c.MaxResponseBytes = 4096 })
	res, err := f.Execute(context.Background(), Request{OperationID: "bulkSync_list"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Truncated == nil || res.Truncated.ShownBytes > 4096 || res.Body != nil || len(res.BodyText()) > 4096 {
		t.Fatalf("truncation = %+v, body kept: %v", res.Truncated, res.Body != nil)
	}

	res, err = f.Execute(context.Background(), Request{OperationID: "bulkSync_list", ResponseFilter: "data.#.id"})
	if err != nil || res.Truncated == nil {
		t.Fatalf("filtered: %v %+v", err, res.Truncated)
	}
	res, err = f.Execute(context.Background(), Request{OperationID: "bulkSync_list", ResponseFilter: "data.3000"})
	if err != nil || res.Truncated != nil || res.BodyText() != `{"id":"last","name":"z"}` {
		t.Fatalf("filter data.3000 = %q %v", res.BodyText(), err)
	}
	res, _ = f.Execute(context.Background(), Request{OperationID: "bulkSync_list", ResponseFilter: "nope.nothing"})
	if len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "matched nothing") {
		t.Errorf("a filter that matches nothing is not reported: %v", res.Notes)
	}
}

// The forwarder reads at most maxReadBytes of any response.
func TestExecuteHugeBodyIsBounded(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat("x", 1<<20))
		io.WriteString(w, `{"data":"`)
		for i := 0; i < 100; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		io.WriteString(w, `"}`)
	})
	f, _ := newTestForwarder(t, api, nil)
	res, err := f.Execute(context.Background(), Request{OperationID: "identity_get"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Truncated == nil || !res.Truncated.ReadLimit || len(res.BodyText()) > DefaultMaxResponseBytes {
		t.Errorf("100 MB body: truncated=%+v text=%d", res.Truncated, len(res.BodyText()))
	}
}

func TestExecutePaging(t *testing.T) {
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		tok := r.URL.Query().Get("page_token")
		next := map[string]string{"": "p2", "p2": "p3", "p3": ""}[tok]
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": []any{map[string]any{"page": tok}}, "pagination": map[string]any{"next_page_token": next}})
	})
	f, _ := newTestForwarder(t, api, nil)
	res, err := f.Execute(context.Background(), Request{OperationID: "bulkSync_executions_list", Params: map[string]any{"id": "s1"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.NextPageToken != "p2" || res.NextParam != "page_token" {
		t.Errorf("single page: next=%q in %q", res.NextPageToken, res.NextParam)
	}

	res, err = f.Execute(context.Background(), Request{OperationID: "bulkSync_executions_list", Params: map[string]any{"id": "s1"}, AllPages: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pages != 3 || res.NextPageToken != "" || !strings.Contains(res.BodyText(), `{"page":"p3"}`) {
		t.Errorf("all pages: pages=%d next=%q body=%s", res.Pages, res.NextPageToken, res.BodyText())
	}
	res, err = f.Execute(context.Background(), Request{OperationID: "bulkSync_executions_list", Params: map[string]any{"id": "s1"}, AllPages: true, MaxPages: 2})
	if err != nil || res.Pages != 2 || res.NextPageToken != "p3" {
		t.Errorf("max_pages 2: pages=%d next=%q err=%v", res.Pages, res.NextPageToken, err)
	}
}

func TestExecuteTimeoutAndCancel(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	f, _ := newTestForwarder(t, api, func(c *Config) { c.Timeout = 100 * time.Millisecond })
	t0 := time.Now()
	_, err := f.Execute(context.Background(), Request{OperationID: "identity_get"})
	if err == nil || !strings.Contains(err.Error(), "did not answer within 100ms") {
		t.Errorf("timeout: %v", err)
	}
	if time.Since(t0) > 5*time.Second {
		t.Error("the timeout did not stop the call")
	}

	f, _ = newTestForwarder(t, api, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = f.Execute(ctx, Request{OperationID: "identity_get"})
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: %v", err)
	}
}

// A TLS certificate the system does not trust: the error names SSL_CERT_FILE.
func TestExecuteUntrustedCertificate(t *testing.T) {
	api := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(api.Close)
	f, err := New(Config{APIURL: api.URL}, testapi.Keys{Key: testKey}, embedded(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.sleep = func(context.Context, time.Duration) error { return nil }
	_, err = f.Execute(context.Background(), Request{OperationID: "identity_get"})
	if err == nil || !strings.Contains(err.Error(), "SSL_CERT_FILE") || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("err = %v", err)
	}
}

// A body cut off mid-stream is retried, then reported.
func TestExecuteBodyCutMidStream(t *testing.T) {
	var hits int
	var mu sync.Mutex
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"data\": [1, 2")
		buf.Flush()
		conn.Close()
	}))
	t.Cleanup(api.Close)
	f, err := New(Config{APIURL: api.URL}, testapi.Keys{Key: testKey}, embedded(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.sleep = func(context.Context, time.Duration) error { return nil }
	_, err = f.Execute(context.Background(), Request{OperationID: "bulkSync_list"})
	if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("err = %v", err)
	}
	if hits != maxAttempts {
		t.Errorf("%d attempts, want %d", hits, maxAttempts)
	}
}

// Every operation in the snapshot can be called through execute by its
// operation_id, and reaches the API with its own method and path.
func TestExecuteEveryOperation(t *testing.T) {
	api := newFakeAPI(t, nil)
	f, _ := newTestForwarder(t, api, func(c *Config) { c.PartnerMode = true })
	ix, _ := spec.Embedded()
	for i, op := range ix.API().Operations {
		params := map[string]any{}
		want := op.Path
		for _, p := range op.Params {
			switch {
			case p.In == "path":
				params[p.Name] = "v-" + p.Name
				want = strings.ReplaceAll(want, "{"+p.Name+"}", "v-"+p.Name)
			case p.In == "query" && p.Required:
				params[p.Name] = "1"
			}
		}
		req := Request{OperationID: op.ID, Params: params}
		if op.Body != nil && op.Method != "GET" && op.Method != "DELETE" {
			req.Body = json.RawMessage(`{}`)
		}
		res, err := f.Execute(context.Background(), req)
		if err != nil {
			t.Errorf("%s: %v", op.ID, err)
			continue
		}
		got := api.Requests()[len(api.Requests())-1]
		if res.Status != 200 || got.Method != op.Method || got.Path != want {
			t.Errorf("%s: sent %s %s (status %d), want %s %s", op.ID, got.Method, got.Path, res.Status, op.Method, want)
		}
		// The same call by method and path template.
		pathParams, query := map[string]any{}, map[string]any{}
		for k, v := range params {
			if strings.Contains(op.Path, "{"+k+"}") {
				pathParams[k] = v
			} else {
				query[k] = v
			}
		}
		res, err = f.Execute(context.Background(), Request{Method: op.Method, Path: op.Path, PathParams: pathParams, Query: query, Body: req.Body})
		if err != nil {
			t.Errorf("%s by path: %v", op.ID, err)
			continue
		}
		got = api.Requests()[len(api.Requests())-1]
		if res.Status != 200 || got.Method != op.Method || got.Path != want {
			t.Errorf("%s by path: sent %s %s, want %s %s", op.ID, got.Method, got.Path, op.Method, want)
		}
		if n := len(api.Requests()); n != 2*(i+1) {
			t.Fatalf("%s: %d requests for %d calls", op.ID, n, 2*(i+1))
		}
	}
}

// A filter over its budget fails a read (narrow it and read again) but is
// only a note after a write, which was done and must not look failed.
func TestExecuteFilterBudgetReadVersusWrite(t *testing.T) {
	wide := "[" + strings.TrimSuffix(strings.Repeat("data,", 100), ",") + "]"
	api := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"data":[`+strings.TrimSuffix(strings.Repeat(`{"id":"0123456789abcdef","name":"a sync with a long name"},`, 2000), ",")+`]}`)
	})
	f, _ := newTestForwarder(t, api, nil)
	if _, err := f.Execute(context.Background(), Request{OperationID: "bulkSync_list", ResponseFilter: wide}); !errors.Is(err, ErrBadInput) {
		t.Errorf("read: err = %v, want a bad-input error", err)
	}
	res, err := f.Execute(context.Background(), Request{OperationID: "bulkSync_cancel", Params: map[string]any{"id": "s1"}, ResponseFilter: wide})
	if err != nil || res.Status != 200 || len(res.Notes) == 0 {
		t.Errorf("write: err %v, result %+v", err, res)
	}
}
