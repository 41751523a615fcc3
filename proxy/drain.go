package proxy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"sync"
	"time"
)

// drainGrace is how long the server keeps answering requests already read
// when stdin closes. mcp-go cancels everything at EOF; a client that writes
// its requests and closes its end (a shell pipe, a script) still deserves
// its answers, and a client that went away must not hold the process up
// for longer than this.
const drainGrace = 800 * time.Millisecond

// tracker counts requests read from stdin that have no response yet.
type tracker struct {
	mu      sync.Mutex
	pending map[string]bool
	idle    chan struct{} // closed and replaced as pending empties
}

func newTracker() *tracker {
	return &tracker{pending: map[string]bool{}, idle: make(chan struct{})}
}

type envelope struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

func (t *tracker) saw(line []byte, outgoing bool) {
	var e envelope
	if json.Unmarshal(bytes.TrimSpace(line), &e) != nil || len(e.ID) == 0 || string(e.ID) == "null" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	id := string(e.ID)
	switch {
	case !outgoing && e.Method != "":
		t.pending[id] = true
	case outgoing && (e.Result != nil || e.Error != nil):
		delete(t.pending, id)
		if len(t.pending) == 0 {
			close(t.idle)
			t.idle = make(chan struct{})
		}
	}
}

// wait returns when no request is pending or after grace.
func (t *tracker) wait(grace time.Duration) {
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	for {
		t.mu.Lock()
		n, idle := len(t.pending), t.idle
		t.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-idle:
		case <-deadline.C:
			return
		}
	}
}

// drainingReader hands lines to the server and, at EOF, waits for the
// answers to what it already handed over.
type drainingReader struct {
	r   *bufio.Reader
	t   *tracker
	buf []byte
}

func (d *drainingReader) Read(p []byte) (int, error) {
	if len(d.buf) == 0 {
		line, err := readLine(d.r, maxLineBytes)
		if len(line) > 0 {
			d.t.saw(line, false)
			d.buf = line
		} else if err != nil {
			if err == io.EOF {
				d.t.wait(drainGrace)
			}
			return 0, err
		}
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	return n, nil
}

// maxLineBytes bounds one JSON-RPC message. Longer lines are dropped (the
// server answers them with a parse error) instead of growing without end.
const maxLineBytes = 32 << 20

// readLine reads up to and including '\n'. A line longer than max is
// consumed and replaced by a short line that is not JSON.
func readLine(r *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) <= max {
			line = append(line, chunk...)
		} else if line != nil || len(chunk) > 0 {
			line = []byte("!line too long")
			max = -1 // keep discarding until the newline
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil:
			return line, err
		}
		if max < 0 {
			line = append(line, '\n')
		}
		return line, nil
	}
}

// trackingWriter notes each response the server writes. mcp-go writes one
// whole message per Write call.
type trackingWriter struct {
	w io.Writer
	t *tracker
}

func (tw trackingWriter) Write(p []byte) (int, error) {
	n, err := tw.w.Write(p)
	tw.t.saw(p, true)
	return n, err
}
