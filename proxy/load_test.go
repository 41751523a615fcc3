package proxy

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/polytomic-mcp/polytomic-mcp/forward"
	"github.com/polytomic-mcp/polytomic-mcp/internal/testapi"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// TestLoad200Concurrent sends 200 execute calls at once through one server:
// every call is answered, each with its own reply, and no goroutine is left
// behind once stdin closes.
func TestLoad200Concurrent(t *testing.T) {
	const n = 200
	api := testapi.New(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"data":{"path":%q}}`, r.URL.Path)
	})
	if _, err := spec.Embedded(); err != nil {
		t.Fatal(err)
	}
	ix := spec.Embedded
	fwd, err := forward.New(forward.Config{APIURL: api.URL}, testapi.Keys{Key: testapi.Key}, ix, api.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	s := NewServer(Options{Version: "load", Index: ix, Forwarder: fwd})
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	served := make(chan error, 1)
	go func() { served <- Serve(context.Background(), s, inR, outW, nil); outW.Close() }()

	go func() {
		for i := 0; i < n; i++ {
			fmt.Fprintf(inW, `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"execute","arguments":{"operation_id":"bulkSync_get","params":{"id":"sync-%d"}}}}`+"\n", i, i)
		}
	}()
	var peak runtime.MemStats
	got := map[int]bool{}
	sc := bufio.NewScanner(outR)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for len(got) < n && sc.Scan() {
		var msg struct {
			ID     int `json:"id"`
			Result struct {
				Content []struct {
					Text string `json:"text"`
				} `json:"content"`
				IsError bool `json:"isError"`
			} `json:"result"`
		}
		if err := json.Unmarshal(sc.Bytes(), &msg); err != nil {
			t.Fatalf("bad line %q", sc.Text())
		}
		if got[msg.ID] {
			t.Errorf("two replies for %d", msg.ID)
		}
		got[msg.ID] = true
		text := msg.Result.Content[0].Text
		if msg.Result.IsError || !strings.Contains(text, fmt.Sprintf(`"/api/bulk/syncs/sync-%d"`, msg.ID)) {
			t.Errorf("reply %d is wrong or mixed up: %.200s", msg.ID, text)
		}
		if len(got)%50 == 0 {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.HeapInuse {
				peak = m
			}
		}
	}
	if len(got) != n {
		t.Fatalf("%d of %d calls answered", len(got), n)
	}
	inW.Close()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, outR)
	api.Client().CloseIdleConnections()
	var after int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if after = runtime.NumGoroutine(); after <= before+2 {
			break
		}
	}
	if after > before+2 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d before, %d after\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
	t.Logf("200 concurrent calls: peak heap in use %.1f MB", float64(peak.HeapInuse)/(1<<20))
}
