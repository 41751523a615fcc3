package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// replies reads every message the server writes after the session started.
func (s *session) replies() <-chan map[string]json.RawMessage {
	ch := make(chan map[string]json.RawMessage, 4096)
	go func() {
		defer close(ch)
		for {
			l, err := s.out.ReadBytes('\n')
			if err != nil {
				return
			}
			var m map[string]json.RawMessage
			if err := json.Unmarshal(l, &m); err != nil || string(m["jsonrpc"]) != `"2.0"` {
				s.t.Errorf("stdout line is not JSON-RPC: %.200q", l)
				return
			}
			ch <- m
		}
	}()
	return ch
}

func (s *session) send(line string) {
	s.t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		s.t.Fatal(err)
	}
}

// awaitID returns the reply with id, noting the others in seen.
func awaitID(t *testing.T, ch <-chan map[string]json.RawMessage, id string, seen map[string]map[string]json.RawMessage) map[string]json.RawMessage {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				t.Fatalf("stdout closed before the reply with id %s", id)
			}
			if string(m["id"]) == id {
				return m
			}
			seen[string(m["id"])] = m
		case <-timeout:
			t.Fatalf("no reply with id %s", id)
		}
	}
}

func rpcErrorCode(m map[string]json.RawMessage) int {
	var e struct{ Code int }
	_ = json.Unmarshal(m["error"], &e)
	return e.Code
}

// With 1,100 execute calls waiting on a stuck API (64 running, the queue
// full), the built binary still reads stdin: the calls over the queue are
// refused as busy at once, a ping is answered, and a cancellation aborts
// its API request and gets no reply; once the API answers, every other
// call gets its own reply.
func TestE2EStdioFullQueue(t *testing.T) {
	const calls, queue = 1100, 1024
	release := make(chan struct{})
	var mu sync.Mutex
	arrived, aborted := map[string]bool{}, map[string]bool{}
	api := newFakePolytomic(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived[r.URL.Path] = true
		mu.Unlock()
		select {
		case <-release:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"data":{"path":%q}}`, r.URL.Path)
		case <-r.Context().Done():
			mu.Lock()
			aborted[r.URL.Path] = true
			mu.Unlock()
		}
	})
	s := startSession(t, testEnv(t, "POLYTOMIC_API_KEY=k", "POLYTOMIC_API_URL="+api.URL, "POLYTOMIC_FEEDBACK_URL=off"))
	ch := s.replies()
	for i := 1; i <= calls; i++ {
		s.send(call(i, "execute", fmt.Sprintf(`{"operation_id":"bulkSync_get","params":{"id":"s%d"}}`, i)))
	}
	s.send(`{"jsonrpc":"2.0","id":"ping","method":"ping"}`)
	seen := map[string]map[string]json.RawMessage{}
	if m := awaitID(t, ch, `"ping"`, seen); m["result"] == nil {
		t.Fatalf("ping: %s", m["error"])
	}
	// The refusals were written before the ping's reply: one line at a time.
	for i := queue + 1; i <= calls; i++ {
		m := seen[fmt.Sprint(i)]
		if m == nil || rpcErrorCode(m) != -32000 || !strings.Contains(string(m["error"]), "retry") {
			t.Fatalf("call %d over the queue: %v", i, m)
		}
		delete(seen, fmt.Sprint(i))
	}
	if len(seen) != 0 {
		t.Fatalf("%d calls answered while the API was stuck", len(seen))
	}

	// Cancel call 1 once its API request is in flight.
	waitFor(t, &mu, func() bool { return arrived["/api/bulk/syncs/s1"] }, "call 1 to reach the API")
	s.send(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,"reason":"user"}}`)
	waitFor(t, &mu, func() bool { return aborted["/api/bulk/syncs/s1"] }, "the API request of the cancelled call to be aborted")
	close(release)
	s.send(`{"jsonrpc":"2.0","id":"last","method":"ping"}`)
	awaitID(t, ch, `"last"`, seen)
	for i := 2; i <= queue; i++ {
		if len(seen) >= queue-1 {
			break
		}
		id := fmt.Sprint(i)
		if seen[id] == nil {
			seen[id] = awaitID(t, ch, id, seen)
		}
	}
	for i := 2; i <= queue; i++ {
		m := seen[fmt.Sprint(i)]
		if m == nil || m["result"] == nil || !strings.Contains(string(m["result"]), fmt.Sprintf("/api/bulk/syncs/s%d", i)) {
			t.Fatalf("call %d: %v", i, m)
		}
	}
	s.in.Close()
	for m := range ch {
		seen[string(m["id"])] = m
	}
	if m := seen["1"]; m != nil {
		t.Errorf("the cancelled call was answered: %s %s", m["result"], m["error"])
	}
}

// A last message without a newline before EOF is answered.
func TestE2EStdioLastFrameWithoutNewline(t *testing.T) {
	cmd := exec.Command(builtBinary(t), "serve")
	cmd.Env = testEnv(t)
	cmd.Stdin = strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}` +
		"\n" + `{"jsonrpc":"2.0","id":"no-newline","method":"tools/call","params":{"name":"search","arguments":{"query":"list webhooks"}}}`)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("serve: %v", err)
	}
	if !strings.Contains(string(out), `"id":"no-newline","result"`) || !strings.Contains(string(out), "/api/webhooks") {
		t.Errorf("the last message, without a newline, was not answered:\n%.2000s", out)
	}
}

// A 31 MB line is refused with a parse error without being kept in memory,
// a 4 MB line of a million tiny JSON values is refused before it is parsed
// (it once took the server to 250 MB), and the server answers the next
// message. Its peak RSS is logged (go test -v), not asserted.
func TestE2EStdioLongLine(t *testing.T) {
	s := startSession(t, testEnv(t))
	go func() {
		io.WriteString(s.in, call(7, "search", `{"query":"`+strings.Repeat("a", 31<<20)+`"}`)+"\n")
	}()
	m := s.roundTrip(`{"jsonrpc":"2.0","id":"after","method":"ping"}`, "null")
	if rpcErrorCode(m) != -32700 || !strings.Contains(string(m["error"]), "longer than 4 MB") {
		t.Fatalf("long line: %s", m["error"])
	}
	if m := s.roundTrip(`{"jsonrpc":"2.0","id":"again","method":"ping"}`, `"again"`); m["result"] == nil {
		t.Fatalf("ping after a long line: %s", m["error"])
	}
	body := "[" + strings.TrimSuffix(strings.Repeat(`{"a":1},`, (4<<20-300)/8), ",") + "]"
	m = s.roundTrip(call(8, "execute", `{"method":"POST","path":"/api/bulk/syncs","body":`+body+`}`), "8")
	if rpcErrorCode(m) != -32600 || !strings.Contains(string(m["error"]), "too large") {
		t.Fatalf("a million values: %s", m["error"])
	}
	if m := s.roundTrip(`{"jsonrpc":"2.0","id":"third","method":"ping"}`, `"third"`); m["result"] == nil {
		t.Fatalf("ping after a large message: %s", m["error"])
	}
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid)); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				t.Logf("server peak RSS after a 31 MB line and a million values: %s", strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")))
			}
		}
	}
}

func waitFor(t *testing.T, mu *sync.Mutex, cond func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		ok := cond()
		mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
