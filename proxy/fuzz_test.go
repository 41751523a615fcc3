package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

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
	fwd, err := NewForwarder(ForwarderConfig{APIURL: "https://api.example.com/base", PartnerMode: true, AllowUnlisted: true}, staticKeys{key: "k"}, spec.Embedded, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, opID, method, path, param, qk, qv, idem, org string) {
		req := ExecRequest{OperationID: opID, Method: method, Path: path, IdempotencyKey: idem, OrganizationID: org}
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

// FuzzStdio feeds arbitrary lines to the server: it answers or errors,
// never dies, writes only JSON-RPC, and still answers a ping afterwards.
func FuzzStdio(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":{"query":"x"}}}`,
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"execute","arguments":{"method":"GET","path":"/api/../x"}}}`,
		`not json`, `{"id":1}`, `[]`, `{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}`, "\x00\xff",
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"search","arguments":[1,2]}}`,
	} {
		f.Add(s)
	}
	ix, err := spec.Embedded()
	if err != nil {
		f.Fatal(err)
	}
	fwd, err := NewForwarder(ForwarderConfig{APIURL: "http://127.0.0.1:1", Timeout: 50 * time.Millisecond}, staticKeys{}, spec.Embedded, nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	s := NewServer(Options{Version: "fuzz", Index: func() (*spec.Index, error) { return ix, nil }, Forwarder: fwd})
	f.Fuzz(func(t *testing.T, line string) {
		line = strings.ReplaceAll(line, "\n", " ")
		in := strings.NewReader(line + "\n" + `{"jsonrpc":"2.0","id":"final-ping","method":"ping"}` + "\n")
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() { done <- Serve(context.Background(), s, in, pw, nil); pw.Close() }()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		sawPing := false
		for sc.Scan() {
			var msg map[string]json.RawMessage
			if err := json.Unmarshal(sc.Bytes(), &msg); err != nil || string(msg["jsonrpc"]) != `"2.0"` {
				t.Fatalf("stdout line is not JSON-RPC: %q", sc.Text())
			}
			if string(msg["id"]) == `"final-ping"` {
				sawPing = true
			}
		}
		if err := <-done; err != nil {
			t.Fatalf("server died: %v", err)
		}
		if !sawPing {
			t.Fatalf("no answer to the ping after %q", line)
		}
	})
}

func TestReadLineCapsLength(t *testing.T) {
	in := bufio.NewReaderSize(strings.NewReader(strings.Repeat("x", 5000)+"\nok\nlast"), 64)
	l, err := readLine(in, 1000)
	if err != errLineTooLong || l != nil {
		t.Fatalf("long line: %q %v", l, err)
	}
	l, err = readLine(in, 1000)
	if err != nil || string(l) != "ok\n" {
		t.Fatalf("next line: %q %v", l, err)
	}
	// A last line without a newline is still read.
	l, err = readLine(in, 1000)
	if err != io.EOF || string(l) != "last" {
		t.Fatalf("last line: %q %v", l, err)
	}
	l, err = readLine(in, 1000)
	if err != io.EOF || len(l) != 0 {
		t.Fatalf("end: %q %v", l, err)
	}
}
