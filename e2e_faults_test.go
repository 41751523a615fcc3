package main

import (
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// stdin closing ends the server with exit status 0.
func TestStdinClosedExitsZero(t *testing.T) {
	cmd := exec.Command(builtBinary(t), "serve")
	cmd.Env = testEnv(t)
	in, _ := cmd.StdinPipe()
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	io.WriteString(in, `{"jsonrpc":"2.0","id":1,"method":"ping"}`+"\n")
	in.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("serve did not exit after stdin closed")
	}
	if !strings.Contains(stdout.String(), `"id":1,"result":{}`) {
		t.Errorf("the ping written before EOF was not answered: %q", stdout.String())
	}
}

// SIGTERM while 10 calls wait on the API: they are cancelled (the API sees
// each request go away) and the process exits with status 0.
func TestSIGTERMCancelsInFlight(t *testing.T) {
	var arrived, cancelled atomic.Int64
	api := newFakePolytomic(t, func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		select {
		case <-r.Context().Done():
			cancelled.Add(1)
		case <-time.After(30 * time.Second):
		}
	})
	cmd := exec.Command(builtBinary(t), "serve")
	cmd.Env = testEnv(t, "POLYTOMIC_API_KEY=k", "POLYTOMIC_API_URL="+api.URL)
	in, _ := cmd.StdinPipe()
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	for i := 0; i < 10; i++ {
		fmt.Fprintf(in, `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"execute","arguments":{"operation_id":"bulkSync_get","params":{"id":"s%d"}}}}`+"\n", i, i)
	}
	for deadline := time.Now().Add(10 * time.Second); arrived.Load() < 10; {
		if time.Now().After(deadline) {
			t.Fatalf("only %d calls reached the API", arrived.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("serve did not exit after SIGTERM")
	}
	for deadline := time.Now().Add(5 * time.Second); cancelled.Load() < 10 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := cancelled.Load(); n != 10 {
		t.Errorf("%d of 10 in-flight API requests were cancelled", n)
	}
}
