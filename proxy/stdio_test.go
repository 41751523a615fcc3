package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// blockingServer has one tool, block, that waits until release is closed or
// its context ends, and reports each ended context on cancelled.
func blockingServer() (s *server.MCPServer, release chan struct{}, cancelled chan string) {
	release, cancelled = make(chan struct{}), make(chan string, 4096)
	s = server.NewMCPServer("test", "1")
	s.AddTool(mcp.NewTool("block", mcp.WithString("n")), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		select {
		case <-release:
			return mcp.NewToolResultText("done " + req.GetString("n", "")), nil
		case <-ctx.Done():
			cancelled <- req.GetString("n", "")
			return mcp.NewToolResultError("cancelled"), nil
		}
	})
	return s, release, cancelled
}

type rpcMsg struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// stdioPipe runs Serve on pipes; replies arrive on the returned channel,
// which closes when Serve has returned.
func stdioPipe(t *testing.T, s *server.MCPServer) (io.WriteCloser, <-chan rpcMsg) {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	served := make(chan error, 1)
	go func() { served <- Serve(context.Background(), s, inR, outW, nil); outW.Close() }()
	msgs := make(chan rpcMsg, 8192)
	go func() {
		defer close(msgs)
		sc := bufio.NewScanner(outR)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var m rpcMsg
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Errorf("stdout line is not JSON-RPC: %q", sc.Text())
			}
			msgs <- m
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	t.Cleanup(func() { inW.Close() })
	return inW, msgs
}

// next returns the next reply with id, failing if the stream ends first.
func next(t *testing.T, msgs <-chan rpcMsg, id string, others map[string]rpcMsg) rpcMsg {
	t.Helper()
	for m := range msgs {
		if string(m.ID) == id {
			return m
		}
		if others != nil {
			others[string(m.ID)] = m
		}
	}
	t.Fatalf("no reply with id %s", id)
	return rpcMsg{}
}

func toolCall(id int, n string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"block","arguments":{"n":%q}}}`+"\n", id, n)
}

// With every worker busy and the queue full, the reader still reads: extra
// calls are refused at once as busy, a ping is answered, and a cancellation
// ends the call's context; the cancelled call gets no reply, every other
// admitted call gets its own once the tool returns.
func TestStdioNeverBlocksBehindCalls(t *testing.T) {
	s, release, cancelled := blockingServer()
	in, msgs := stdioPipe(t, s)
	const extra = 10
	go func() {
		for i := 1; i <= maxPendingCalls+extra; i++ {
			io.WriteString(in, toolCall(i, fmt.Sprint(i)))
		}
		io.WriteString(in, `{"jsonrpc":"2.0","id":"ping","method":"ping"}`+"\n")
	}()
	busy := 0
	others := map[string]rpcMsg{}
	if m := next(t, msgs, `"ping"`, others); m.Error != nil {
		t.Fatalf("ping: %+v", m.Error)
	}
	for _, m := range others {
		if m.Error != nil && m.Error.Code == codeBusy && strings.Contains(m.Error.Message, "retry") {
			busy++
		} else {
			t.Errorf("unexpected reply while the tool is blocked: %s %s", m.ID, m.Result)
		}
	}
	if busy != extra {
		t.Errorf("%d calls refused as busy, want %d", busy, extra)
	}

	// Cancel call 1: a worker is running it.
	io.WriteString(in, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,"reason":"user"}}`+"\n")
	if n := <-cancelled; n != "1" {
		t.Fatalf("cancelled %s, want 1", n)
	}
	// Cancel call 1000: it waits in the queue and must never run.
	io.WriteString(in, `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1000}}`+"\n")
	io.WriteString(in, `{"jsonrpc":"2.0","id":"ping","method":"ping"}`+"\n")
	next(t, msgs, `"ping"`, nil)

	close(release)
	in.Close()
	got := map[string]bool{}
	for m := range msgs {
		got[string(m.ID)] = true
		if m.Error != nil {
			t.Errorf("reply %s: %+v", m.ID, m.Error)
		}
	}
	for _, id := range []string{"1", "1000"} {
		if got[id] {
			t.Errorf("cancelled call %s was answered", id)
		}
	}
	if len(got) != maxPendingCalls-2 {
		t.Errorf("%d calls answered after release, want %d", len(got), maxPendingCalls-2)
	}
}

// A last message without a trailing newline is processed before EOF.
func TestStdioLastLineWithoutNewline(t *testing.T) {
	s, _, _ := blockingServer()
	in, msgs := stdioPipe(t, s)
	io.WriteString(in, `{"jsonrpc":"2.0","id":1,"method":"ping"}`+"\n"+`{"jsonrpc":"2.0","id":2,"method":"ping"}`)
	in.Close()
	var ids []string
	for m := range msgs {
		ids = append(ids, string(m.ID))
	}
	if strings.Join(ids, ",") != "1,2" && strings.Join(ids, ",") != "2,1" {
		t.Errorf("replies to %v, want 1 and 2", ids)
	}
}

// A line over the limit is refused with a parse error without being kept,
// and the next message is served.
func TestStdioLineLimit(t *testing.T) {
	s, _, _ := blockingServer()
	in, msgs := stdioPipe(t, s)
	var wg sync.WaitGroup
	wg.Go(func() {
		io.WriteString(in, `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"block","arguments":{"n":"`)
		chunk := strings.Repeat("a", 1<<20)
		for range maxLineBytes>>20 + 1 {
			io.WriteString(in, chunk)
		}
		io.WriteString(in, `"}}}`+"\n"+`{"jsonrpc":"2.0","id":2,"method":"ping"}`+"\n")
	})
	m := <-msgs
	if m.Error == nil || m.Error.Code != mcp.PARSE_ERROR || !strings.Contains(m.Error.Message, "longer than 4 MB") {
		t.Fatalf("long line: %+v", m)
	}
	if m := next(t, msgs, "2", nil); m.Error != nil {
		t.Fatalf("ping after a long line: %+v", m.Error)
	}
	wg.Wait()
}

// A request id used by a call still in flight is refused.
func TestStdioDuplicateID(t *testing.T) {
	s, release, _ := blockingServer()
	in, msgs := stdioPipe(t, s)
	io.WriteString(in, toolCall(1, "a")+toolCall(1, "b"))
	m := <-msgs
	if m.Error == nil || !strings.Contains(m.Error.Message, "still in flight") {
		t.Fatalf("duplicate id: %+v", m)
	}
	close(release)
	if m := <-msgs; m.Error != nil || !strings.Contains(string(m.Result), "done a") {
		t.Fatalf("first call: %s %+v", m.Result, m.Error)
	}
}

// A message whose parsed form would be too big (many small JSON values) is
// refused with its id; the server goes on.
func TestStdioMessageTooLarge(t *testing.T) {
	s, _, _ := blockingServer()
	in, msgs := stdioPipe(t, s)
	body := "[" + strings.TrimSuffix(strings.Repeat(`{"a":1},`, 100000), ",") + "]"
	io.WriteString(in, `{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"name":"block","arguments":{"n":"x","b":`+body+`}}}`+"\n")
	m := <-msgs
	if string(m.ID) != `"big"` || m.Error == nil || m.Error.Code != mcp.INVALID_REQUEST || !strings.Contains(m.Error.Message, "too large") {
		t.Fatalf("%s %+v", m.ID, m.Error)
	}
	io.WriteString(in, `{"jsonrpc":"2.0","id":2,"method":"ping"}`+"\n")
	if m := next(t, msgs, "2", nil); m.Error != nil {
		t.Fatalf("ping: %+v", m.Error)
	}
}

// A request whose id is an object, an array or a boolean is refused as an
// invalid request with a null id; the server goes on.
func TestStdioIDKinds(t *testing.T) {
	s, _, _ := blockingServer()
	in, msgs := stdioPipe(t, s)
	for _, id := range []string{`{"a":1}`, `[1]`, `true`} {
		io.WriteString(in, `{"jsonrpc":"2.0","id":`+id+`,"method":"ping"}`+"\n")
		m := <-msgs
		if string(m.ID) != "null" || m.Error == nil || m.Error.Code != mcp.INVALID_REQUEST {
			t.Errorf("id %s: %s %+v", id, m.ID, m.Error)
		}
	}
	for _, id := range []string{`"x"`, `-1`, `7`} {
		io.WriteString(in, `{"jsonrpc":"2.0","id":`+id+`,"method":"ping"}`+"\n")
		if m := next(t, msgs, id, nil); m.Error != nil {
			t.Errorf("id %s: %+v", id, m.Error)
		}
	}
}

func TestMsgCost(t *testing.T) {
	for _, tt := range []struct {
		line   string
		values int
	}{
		{`{"a":1}`, 1},
		{`{"a":[1,2,3]}`, 4},
		{`{"a":"x,y[z{"}`, 1},
		{`{"a":"q\"[,{"}`, 1},
		{`"`, 0},
	} {
		if got := msgCost([]byte(tt.line)); got != len(tt.line)+tt.values*valueCost {
			t.Errorf("msgCost(%s) = %d, want %d", tt.line, got, len(tt.line)+tt.values*valueCost)
		}
	}
}
