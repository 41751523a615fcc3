package proxy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// Stdio limits. mcp-go's StdioServer reads a line, then, when its call
// queue is full, serves the call on the reading goroutine, so a ping or a
// cancellation waits behind the calls; and it answers cancelled requests.
// This loop reads on its own, never waits for a worker, and drops the reply
// to a request the client cancelled.
const (
	// maxLineBytes bounds one JSON-RPC message. The largest message a
	// client has reason to send is an execute call with a request body;
	// Polytomic bodies (model and sync definitions) are kilobytes, so 4 MB
	// leaves room while a message and its parsed copies stay far below the
	// 100 MB the server should fit in (a 31 MB line once took it to 250 MB).
	maxLineBytes = 4 << 20
	// toolWorkers tool calls run at once: an agent may fan out many slow
	// API calls, and one must not wait behind another.
	toolWorkers = 64
	// maxMessageCost bounds what one message may take once parsed (see
	// msgCost): a 4 MB line of tiny objects took the server to 250 MB
	// once parsed. 8 MB allows a full 4 MB line of text, or about 130,000
	// JSON values.
	maxMessageCost = 8 << 20
	// valueCost is what a decoded JSON value costs beyond its text (a map,
	// slice or interface, copied by mcp-go and by the handler), measured
	// at about 250 bytes.
	valueCost = 64
	// maxPendingCalls and maxPendingCost bound the requests read and not
	// yet answered; past either the request is refused at once (busy), so
	// that reading goes on and memory stays bounded.
	maxPendingCalls = 1024
	maxPendingCost  = 16 << 20
	// otherRequests is the room kept for requests other than tool calls
	// (initialize, tools/list) when the calls fill the queue; a ping is
	// answered on the reading goroutine and needs none.
	otherRequests = 64
	// drainGrace is how long the server keeps answering requests already
	// read when stdin closes: a client that writes its requests and closes
	// its end (a shell pipe, a script) still deserves its answers, and a
	// client that went away must not hold the process up for longer.
	drainGrace = 800 * time.Millisecond
)

// codeBusy is the JSON-RPC error for a request refused because too many are
// pending (the implementation-defined server error range).
const codeBusy = -32000

// stdio serves one client over a pair of streams.
type stdio struct {
	srv *server.MCPServer
	out io.Writer
	log *slog.Logger

	writeMu sync.Mutex
	closed  bool // no write after Serve returns; guarded by writeMu

	mu          sync.Mutex
	pending     map[string]*pendingReq // by the id's JSON
	pendingCost int
	idle        chan struct{} // closed and replaced when pending empties
	stopping    bool          // set before wg is waited for: no new request goroutine

	queue chan *pendingReq // tool calls waiting for a worker
	wg    sync.WaitGroup
}

type pendingReq struct {
	key       string
	cost      int
	id        any
	msg       []byte
	ctx       context.Context
	cancel    context.CancelFunc
	cancelled atomic.Bool
}

// envelope is what the reader needs of a message to route it.
type envelope struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		RequestID json.RawMessage `json:"requestId"`
	} `json:"params"`
}

// Serve runs the server over a stdio-style pair of streams until in closes
// or ctx ends. Nothing but JSON-RPC is written to out.
func Serve(ctx context.Context, s *server.MCPServer, in io.Reader, out io.Writer, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	sess := newStdioSession()
	if err := s.RegisterSession(ctx, sess); err != nil {
		return fmt.Errorf("register the stdio session: %w", err)
	}
	defer s.UnregisterSession(ctx, sess.SessionID())
	reqCtx, cancelAll := context.WithCancel(s.WithContext(ctx, sess))
	defer cancelAll()

	st := &stdio{srv: s, out: out, log: logger, pending: map[string]*pendingReq{},
		idle: make(chan struct{}), queue: make(chan *pendingReq, maxPendingCalls)}
	for range toolWorkers {
		st.wg.Go(func() { st.worker(reqCtx) })
	}
	st.wg.Go(func() { st.notifications(reqCtx, sess.notifications) })

	readErr := make(chan error, 1)
	go func() { readErr <- st.read(reqCtx, in) }()
	var err error
	select {
	case err = <-readErr:
		st.waitIdle(drainGrace)
	case <-ctx.Done():
		err = ctx.Err()
	}
	cancelAll()
	st.mu.Lock()
	st.stopping = true
	st.mu.Unlock()
	st.wg.Wait()
	st.writeMu.Lock()
	st.closed = true
	st.writeMu.Unlock()
	if err == io.EOF || err == context.Canceled {
		return nil
	}
	return err
}

// read hands each line to dispatch until EOF. A last line without a
// newline is a message too.
func (st *stdio) read(ctx context.Context, in io.Reader) error {
	r := bufio.NewReaderSize(in, 64*1024)
	for {
		line, err := readLine(r, maxLineBytes)
		if errors.Is(err, errLineTooLong) {
			st.writeError(nil, mcp.PARSE_ERROR, "Parse error: "+err.Error())
			continue
		}
		if len(line) > 0 && ctx.Err() == nil {
			st.dispatch(ctx, line)
		}
		if err != nil {
			return err
		}
	}
}

// errLineTooLong is returned, once the line is consumed, for a line over
// the limit.
var errLineTooLong = fmt.Errorf("message longer than %d MB", maxLineBytes>>20)

// readLine reads up to and including '\n', or what is left before EOF. A
// line longer than max is consumed without being kept.
func readLine(r *bufio.Reader, max int) ([]byte, error) {
	var line []byte
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong && len(line)+len(chunk) > max {
			line, tooLong = nil, true
		}
		if !tooLong {
			line = append(line, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if tooLong && (err == nil || err == io.EOF) {
			return nil, errLineTooLong
		}
		return line, err
	}
}

// dispatch routes one message without waiting for any handler: tool calls
// go to the workers' queue, other requests to their own goroutine, and
// pings and notifications (cancellation among them) are handled at once.
func (st *stdio) dispatch(ctx context.Context, line []byte) {
	line = bytes.TrimSpace(line)
	switch {
	case len(line) == 0:
		return
	case !json.Valid(line):
		st.writeError(nil, mcp.PARSE_ERROR, "Parse error")
		return
	}
	var e envelope
	cost := msgCost(line)
	if cost > maxMessageCost {
		var id any
		_ = json.Unmarshal(line, &e)
		_ = json.Unmarshal(e.ID, &id)
		st.writeError(id, mcp.INVALID_REQUEST, fmt.Sprintf("message too large: it holds about %d JSON values, more than this server parses in one message; send less (a smaller body, or several calls)", (cost-len(line))/valueCost))
		return
	}
	if json.Unmarshal(line, &e) != nil || len(e.ID) == 0 || string(e.ID) == "null" || e.Method == "" {
		// Notifications, responses and odd shapes: mcp-go answers what
		// needs an answer, at once.
		if e.Method == string(mcp.MethodNotificationCancelled) {
			st.cancel(e.Params.RequestID)
		}
		st.write(st.handle(ctx, nil, line))
		return
	}
	if !scalarID(e.ID) {
		// JSON-RPC 2.0 ids are strings or numbers; an object or an array
		// cannot be echoed back as one, so the reply's id is null.
		st.writeError(nil, mcp.INVALID_REQUEST, "Invalid Request: id must be a string or a number")
		return
	}
	var id any
	_ = json.Unmarshal(e.ID, &id)
	if e.Method == string(mcp.MethodPing) {
		st.write(st.handle(ctx, id, line))
		return
	}
	isCall := e.Method == string(mcp.MethodToolsCall)
	limit := maxPendingCalls
	if !isCall {
		limit += otherRequests
	}
	req, refusal := st.admit(ctx, string(e.ID), id, line, cost, limit, !isCall)
	if refusal != "" {
		st.writeError(id, codeBusy, refusal)
		return
	}
	if isCall {
		st.queue <- req // admit keeps the queue below its capacity
		return
	}
	go func() {
		defer st.wg.Done() // added by admit
		st.finish(req, st.handle(req.ctx, id, req.msg))
	}()
}

// scalarID reports whether a request id is a string or a number.
func scalarID(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && (raw[0] == '"' || raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}

// admit records a request as pending, or says why it cannot be. With
// ownGoroutine it counts the request's goroutine in wg, under the lock that
// Serve takes before waiting for wg.
func (st *stdio) admit(ctx context.Context, key string, id any, line []byte, cost, limit int, ownGoroutine bool) (*pendingReq, string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	switch {
	case st.stopping:
		return nil, "the server is shutting down"
	case st.pending[key] != nil:
		return nil, "a request with this id is still in flight; use a new id"
	case len(st.pending) >= limit:
		return nil, fmt.Sprintf("server busy: %d requests are waiting for an answer; retry once some have been answered", len(st.pending))
	case len(st.pending) > 0 && st.pendingCost+cost > maxPendingCost:
		return nil, fmt.Sprintf("server busy: the requests waiting for an answer hold about %d MB; retry once some have been answered", st.pendingCost>>20)
	}
	req := &pendingReq{key: key, cost: cost, id: id, msg: line}
	req.ctx, req.cancel = context.WithCancel(ctx)
	st.pending[key] = req
	st.pendingCost += cost
	if ownGoroutine {
		st.wg.Add(1)
	}
	return req, ""
}

// msgCost estimates what a message takes once parsed: its text plus
// valueCost for each JSON value (counted as commas and openings outside
// strings: an upper bound).
func msgCost(line []byte) int {
	n, inString := len(line), false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && (c == ',' || c == '[' || c == '{'):
			n += valueCost
		}
	}
	return n
}

// cancel handles notifications/cancelled: the request's context ends, and
// its reply, when it comes, is dropped (the MCP spec: the receiver should
// not answer a cancelled request).
func (st *stdio) cancel(requestID json.RawMessage) {
	st.mu.Lock()
	req := st.pending[string(bytes.TrimSpace(requestID))]
	st.mu.Unlock()
	if req != nil {
		req.cancelled.Store(true)
		req.cancel()
	}
}

func (st *stdio) worker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case req := <-st.queue:
			if req.ctx.Err() != nil {
				st.finish(req, nil) // cancelled while it waited
				continue
			}
			st.finish(req, st.handle(req.ctx, req.id, req.msg))
		}
	}
}

// finish writes a request's reply, unless it was cancelled, then forgets
// it. The reply goes out first so that an empty pending set means every
// reply is written.
func (st *stdio) finish(req *pendingReq, resp mcp.JSONRPCMessage) {
	if req.cancelled.Load() {
		st.log.Debug("dropped the reply to a cancelled request", "id", req.key)
	} else {
		st.write(resp)
	}
	req.cancel()
	st.mu.Lock()
	delete(st.pending, req.key)
	st.pendingCost -= req.cost
	if len(st.pending) == 0 {
		close(st.idle)
		st.idle = make(chan struct{})
	}
	st.mu.Unlock()
}

// waitIdle returns when no request is pending or after grace.
func (st *stdio) waitIdle(grace time.Duration) {
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	for {
		st.mu.Lock()
		n, idle := len(st.pending), st.idle
		st.mu.Unlock()
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

// handle runs mcp-go on one message; a panic becomes an internal error.
func (st *stdio) handle(ctx context.Context, id any, msg []byte) (resp mcp.JSONRPCMessage) {
	defer func() {
		if r := recover(); r != nil {
			st.log.Error("message handler panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			resp = nil
			if id != nil {
				resp = rpcError(id, mcp.INTERNAL_ERROR, "internal error; please report it with submit_mcp_feedback")
			}
		}
	}()
	return st.srv.HandleMessage(ctx, msg)
}

func (st *stdio) notifications(ctx context.Context, ch <-chan mcp.JSONRPCNotification) {
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-ch:
			st.write(n)
		}
	}
}

func rpcError(id any, code int, msg string) mcp.JSONRPCMessage {
	return mcp.JSONRPCError{JSONRPC: mcp.JSONRPC_VERSION, ID: mcp.NewRequestId(id), Error: mcp.NewJSONRPCErrorDetails(code, msg, nil)}
}

func (st *stdio) writeError(id any, code int, msg string) { st.write(rpcError(id, code, msg)) }

// write sends one message as one line.
func (st *stdio) write(msg mcp.JSONRPCMessage) {
	if msg == nil {
		return
	}
	b, err := json.Marshal(msg)
	if err != nil {
		st.log.Error("cannot encode a reply", "err", err)
		return
	}
	st.writeMu.Lock()
	defer st.writeMu.Unlock()
	if st.closed {
		return
	}
	if _, err := st.out.Write(append(b, '\n')); err != nil {
		st.log.Warn("cannot write to stdout", "err", err)
	}
}

// stdioSession is the one client session of a stdio server.
type stdioSession struct {
	id            string
	notifications chan mcp.JSONRPCNotification
	initialized   atomic.Bool
	logLevel      atomic.Value // mcp.LoggingLevel
	clientInfo    atomic.Value // mcp.Implementation
	capabilities  atomic.Value // mcp.ClientCapabilities
	protocol      atomic.Value // string
}

func newStdioSession() *stdioSession {
	return &stdioSession{id: "stdio-" + uuid.NewString(), notifications: make(chan mcp.JSONRPCNotification, 100)}
}

func (s *stdioSession) SessionID() string { return s.id }
func (s *stdioSession) NotificationChannel() chan<- mcp.JSONRPCNotification {
	return s.notifications
}
func (s *stdioSession) Initialize()                        { s.initialized.Store(true) }
func (s *stdioSession) Initialized() bool                  { return s.initialized.Load() }
func (s *stdioSession) SetLogLevel(l mcp.LoggingLevel)     { s.logLevel.Store(l) }
func (s *stdioSession) SetClientInfo(i mcp.Implementation) { s.clientInfo.Store(i) }
func (s *stdioSession) SetClientCapabilities(c mcp.ClientCapabilities) {
	s.capabilities.Store(c)
}
func (s *stdioSession) SetProtocolVersion(v string) { s.protocol.Store(v) }

func (s *stdioSession) GetLogLevel() mcp.LoggingLevel {
	l, _ := s.logLevel.Load().(mcp.LoggingLevel)
	if l == "" {
		return mcp.LoggingLevelError
	}
	return l
}

func (s *stdioSession) GetClientInfo() mcp.Implementation {
	i, _ := s.clientInfo.Load().(mcp.Implementation)
	return i
}

func (s *stdioSession) GetClientCapabilities() mcp.ClientCapabilities {
	c, _ := s.capabilities.Load().(mcp.ClientCapabilities)
	return c
}

func (s *stdioSession) ProtocolVersion() string {
	v, _ := s.protocol.Load().(string)
	return v
}

var (
	_ server.SessionWithLogging         = (*stdioSession)(nil)
	_ server.SessionWithClientInfo      = (*stdioSession)(nil)
	_ server.SessionWithProtocolVersion = (*stdioSession)(nil)
)
