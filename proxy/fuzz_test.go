package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/polytomic-mcp/polytomic-mcp/forward"
	"github.com/polytomic-mcp/polytomic-mcp/internal/testapi"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

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
	fwd, err := forward.New(forward.Config{APIURL: "http://127.0.0.1:1", Timeout: 50 * time.Millisecond}, testapi.Keys{}, spec.Embedded, nil, nil)
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
