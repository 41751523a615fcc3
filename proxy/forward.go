package proxy

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/tidwall/gjson"

	"github.com/polytomic-mcp/polytomic-mcp/auth"
	"github.com/polytomic-mcp/polytomic-mcp/internal/jsonfilter"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// KeySource supplies the API key. The auth package implements it over the
// keychain; tests use a fixed key.
type KeySource interface {
	// APIKey returns the key to use, or ErrNoKey.
	APIKey(ctx context.Context) (string, error)
	// Reload reads the store again, after the API rejected the key: a
	// `polytomic-mcp login` done while the server runs is picked up.
	Reload(ctx context.Context) (string, error)
}

// ErrNoKey means no API key is configured.
var ErrNoKey = auth.ErrNoKey

// ErrReadOnly marks a write refused by read-only mode.
var ErrReadOnly = errors.New("refused in read-only mode")

// Defaults for ForwarderConfig.
const (
	DefaultAPIURL           = "https://app.polytomic.com"
	DefaultTimeout          = 60 * time.Second
	DefaultMaxResponseBytes = 100 * 1024
	// maxReadBytes bounds what is read of one response, whatever its size,
	// so that memory stays bounded when the API returns a huge body.
	maxReadBytes = 8 << 20
	maxAttempts  = 3
	maxRetryWait = 30 * time.Second
)

// ForwarderConfig is what the forwarder needs to know about the API.
type ForwarderConfig struct {
	APIURL           string
	APIVersion       string
	UserAgent        string
	ReadOnly         bool
	PartnerMode      bool
	PartnerOrgID     string
	Timeout          time.Duration
	MaxResponseBytes int
	AllowUnlisted    bool
}

// Forwarder makes Polytomic REST calls for the execute tool and `call`.
type Forwarder struct {
	cfg    ForwarderConfig
	base   *url.URL
	keys   KeySource
	client *http.Client
	index  func() (*spec.Index, error)
	logger *slog.Logger
	// sleep waits between retries; tests replace it.
	sleep func(context.Context, time.Duration) error
}

// NewForwarder checks cfg and builds a forwarder. httpClient may be nil.
func NewForwarder(cfg ForwarderConfig, keys KeySource, index func() (*spec.Index, error), httpClient *http.Client, logger *slog.Logger) (*Forwarder, error) {
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	base, err := ValidateAPIURL(cfg.APIURL)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if err := headerSafe("partner organization id", cfg.PartnerOrgID, 255); err != nil {
		return nil, err
	}
	if err := headerSafe("API version", cfg.APIVersion, 64); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if httpClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		httpClient = &http.Client{Transport: tr}
	}
	// A copy, so that the redirect policy is ours alone.
	c := *httpClient
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != base.Scheme || req.URL.Host != base.Host {
			return fmt.Errorf("%w to %s://%s", errCrossHostRedirect, req.URL.Scheme, req.URL.Host)
		}
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		return nil
	}
	return &Forwarder{cfg: cfg, base: base, keys: keys, client: &c, index: index, logger: logger, sleep: sleepCtx}, nil
}

var errCrossHostRedirect = errors.New("refused to follow a redirect to another host or scheme")

// ValidateAPIURL accepts https URLs, and http only for loopback hosts.
func ValidateAPIURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("invalid API URL %q: use e.g. https://app.polytomic.com", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("invalid API URL %q: no credentials, query or fragment", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("API URL %q must use https (http is allowed only for localhost)", raw)
		}
	default:
		return nil, fmt.Errorf("API URL %q must use https", raw)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Config returns the forwarder's settings.
func (f *Forwarder) Config() ForwarderConfig { return f.cfg }

// ExecResult is the outcome of one execute call.
type ExecResult struct {
	Status        int               `json:"status"`
	Headers       map[string]string `json:"headers,omitempty"`
	Body          any               `json:"body,omitempty"`
	Truncated     *Truncation       `json:"truncated,omitempty"`
	NextPageToken string            `json:"next_page_token,omitempty"`
	Pages         int               `json:"pages,omitempty"`
	Error         *APIError         `json:"error,omitempty"`
	Hint          string            `json:"hint,omitempty"`
	Notes         []string          `json:"notes,omitempty"`

	method, path string
	text         string // the body as the model reads it, already cut
	nextParam    string // query parameter that takes NextPageToken
	opID         string
}

// Truncation says how much of the reply was cut.
type Truncation struct {
	ShownBytes int   `json:"shown_bytes"`
	TotalBytes int64 `json:"total_bytes"`
	// ReadLimit is set when the API sent more than the forwarder reads.
	ReadLimit bool `json:"read_limit,omitempty"`
}

// APIError is the API's own error payload.
type APIError struct {
	Message  string         `json:"message,omitempty"`
	Key      string         `json:"key,omitempty"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// IsError reports an HTTP error status.
func (r *ExecResult) IsError() bool { return r.Status >= 400 }

// Execute validates req and makes the call.
func (f *Forwarder) Execute(ctx context.Context, req ExecRequest) (*ExecResult, error) {
	ix, err := f.index()
	if err != nil {
		return nil, err
	}
	// Read-only mode answers first: whatever else is wrong with a write,
	// the agent needs to know that writes are off.
	if f.cfg.ReadOnly {
		method := strings.ToUpper(strings.TrimSpace(req.Method))
		if op, ok := ix.Lookup(req.OperationID); ok && req.OperationID != "" {
			method = op.Method
		}
		if method != "" && !spec.IsReadMethod(method) {
			return nil, fmt.Errorf("%w: %s would change data, and this server only reads (--read-only or POLYTOMIC_ACCESS_MODE=read-only); restart it without read-only mode to allow writes",
				ErrReadOnly, method)
		}
	}
	p, err := buildPlan(ix, req, f.cfg.AllowUnlisted)
	if err != nil {
		return nil, err
	}
	if p.apiVersion = f.cfg.APIVersion; p.apiVersion == "" {
		p.apiVersion = ix.API().Version
	}
	if p.orgID != "" && !f.cfg.PartnerMode {
		return nil, badInput("organization_id applies only in partner mode: start the server with --auth-mode partner and a partner key")
	}
	if p.method == "POST" && p.idemKey == "" {
		// A generated key makes retries of this POST safe.
		p.idemKey = uuid.NewString()
	}
	key, err := f.keys.APIKey(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()

	res := &ExecResult{method: p.method, path: p.path}
	if p.op != nil {
		res.opID = p.op.ID
	} else {
		res.Notes = append(res.Notes, "unlisted path: not in the API snapshot, sent because --allow-unlisted is set")
	}
	var pag *spec.Pagination
	if p.op != nil {
		pag = p.op.Pagination
	}
	if p.allPages && pag == nil {
		res.Notes = append(res.Notes, "all_pages ignored: this operation does not page")
		p.allPages = false
	}

	var pages [][]byte
	var last *httpReply
	query := p.query
	for page := 1; ; page++ {
		rep, err := f.sendWithRetry(ctx, p, query, &key)
		if err != nil {
			return nil, f.explain(ctx, err)
		}
		last = rep
		if rep.status >= 400 || !p.allPages || rep.cut {
			break
		}
		pages = append(pages, rep.body)
		tok := gjson.GetBytes(rep.body, pag.ResponseToken).String()
		if tok == "" || page >= p.maxPages || totalLen(pages) > f.cfg.MaxResponseBytes {
			res.NextPageToken = tok
			break
		}
		query = cloneValues(p.query)
		query.Set(pag.RequestToken, tok)
	}
	res.Status = last.status
	res.Headers = usefulHeaders(last.header)
	if res.Status >= 400 {
		f.describeError(res, last, p)
		return res, nil
	}
	body := last.body
	if p.allPages {
		body, res.Pages = mergePages(pages, pag)
		if res.NextPageToken != "" {
			res.Notes = append(res.Notes, fmt.Sprintf("stopped after %d pages (max_pages or the size cap); more remain", res.Pages))
		}
	} else if pag != nil {
		res.NextPageToken = gjson.GetBytes(body, pag.ResponseToken).String()
	}
	if pag != nil {
		res.nextParam = pag.RequestToken
	}
	f.fillBody(res, body, last, p)
	return res, nil
}

// httpReply is one HTTP response, read through the size limit.
type httpReply struct {
	status   int
	header   http.Header
	body     []byte
	cut      bool // the body was larger than maxReadBytes
	attempts int
}

// sendWithRetry sends the request, retrying where that is safe.
func (f *Forwarder) sendWithRetry(ctx context.Context, p *plan, query url.Values, key *string) (*httpReply, error) {
	retryable := p.method == "GET" || p.method == "HEAD" || p.method == "PUT" || p.method == "DELETE" || (p.method == "POST" && p.idemKey != "")
	start := time.Now()
	reloaded := false
	for attempt := 1; ; attempt++ {
		rep, err := f.send(ctx, p, query, *key)
		if err == nil && rep.status == http.StatusUnauthorized && !reloaded {
			reloaded = true
			if nk, kerr := f.keys.Reload(ctx); kerr == nil && nk != "" && nk != *key {
				f.logger.Info("API key rejected; retrying with the key now in the store")
				*key = nk
				attempt--
				continue
			}
		}
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil || !retryable || !transient(err) || attempt >= maxAttempts {
				return nil, err
			}
			wait = backoff(attempt)
		case retryable && attempt < maxAttempts && retryStatus(rep.status):
			wait = retryAfter(rep.header, time.Now())
			if wait <= 0 {
				wait = backoff(attempt)
			}
		default:
			rep.attempts = attempt
			return rep, nil
		}
		if time.Since(start)+wait > maxRetryWait {
			if err != nil {
				return nil, err
			}
			rep.attempts = attempt
			return rep, nil
		}
		f.logger.Debug("retrying", "method", p.method, "path", p.path, "attempt", attempt, "wait", wait, "err", err)
		if err := f.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// retryStatus: rate limiting and server-side failures that a second try
// often gets past. Only requests that are safe to repeat are retried.
func retryStatus(s int) bool {
	switch s {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// transient reports connection-level failures worth another attempt.
func transient(err error) bool {
	if errors.Is(err, errCrossHostRedirect) {
		return false
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Timeout() {
		return false // the call's own deadline: no time left anyway
	}
	var tlsErr *tls.CertificateVerificationError
	if errors.As(err, &tlsErr) {
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || isNetOpError(err)
}

func isNetOpError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}

// backoff is exponential with full jitter: about 0.5 s, 1 s, 2 s.
func backoff(attempt int) time.Duration {
	base := 500 * time.Millisecond * time.Duration(math.Pow(2, float64(attempt-1)))
	return base/2 + time.Duration(rand.Int64N(int64(base/2)+1))
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// send makes one HTTP request.
func (f *Forwarder) send(ctx context.Context, p *plan, query url.Values, key string) (*httpReply, error) {
	req, err := f.newRequest(ctx, p, query, key)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReadBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	rep := &httpReply{status: resp.StatusCode, header: resp.Header, body: data}
	if len(data) > maxReadBytes {
		rep.body, rep.cut = data[:maxReadBytes], true
	}
	f.logger.Debug("api call", "method", p.method, "path", p.path, "status", resp.StatusCode, "bytes", len(rep.body), "elapsed", time.Since(t0))
	return rep, nil
}

// newRequest builds the HTTP request for a plan. It is the one place that
// turns agent input into a URL and headers, so it double-checks that the
// request stays on the configured API host and under /api/.
func (f *Forwarder) newRequest(ctx context.Context, p *plan, query url.Values, key string) (*http.Request, error) {
	u := *f.base
	u.Path = strings.TrimRight(f.base.Path, "/") + mustUnescape(p.path)
	u.RawPath = strings.TrimRight(f.base.EscapedPath(), "/") + p.path
	u.RawQuery = query.Encode()
	var body io.Reader
	if p.body != nil {
		body = bytes.NewReader(p.body)
	}
	req, err := http.NewRequestWithContext(ctx, p.method, u.String(), body)
	if err != nil {
		return nil, badInput("cannot build the request: %v", err)
	}
	if req.URL.Scheme != f.base.Scheme || req.URL.Host != f.base.Host || !strings.HasPrefix(req.URL.EscapedPath(), strings.TrimRight(f.base.EscapedPath(), "/")+"/api/") {
		return nil, fmt.Errorf("internal error: request URL %s left the API", req.URL.Redacted())
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("X-Polytomic-Version", p.apiVersion)
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	if p.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if f.cfg.ReadOnly {
		req.Header.Set("X-Polytomic-Access-Mode", "read-only")
	}
	if f.cfg.PartnerMode {
		req.Header.Set("X-Polytomic-Auth-Mode", "partner")
		org := f.cfg.PartnerOrgID
		if p.orgID != "" {
			org = p.orgID
		}
		if org != "" {
			req.Header.Set("X-Polytomic-Partner-Org-Id", org)
		}
	}
	if p.idemKey != "" && p.method == "POST" {
		req.Header.Set("Idempotency-Key", p.idemKey)
	}
	return req, nil
}

// explain turns a transport error into what happened and what to do.
func (f *Forwarder) explain(ctx context.Context, err error) error {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	switch {
	case errors.Is(err, errCrossHostRedirect):
		return fmt.Errorf("the API answered with a redirect, which was not followed: %w; the API key is only ever sent to %s", err, f.base.Host)
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("the Polytomic API did not answer within %s (--timeout): %w", f.cfg.Timeout, context.DeadlineExceeded)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("the call was cancelled: %w", context.Canceled)
	case errors.As(err, &certErr) || errors.As(err, &unknownAuth):
		return fmt.Errorf("the TLS certificate of %s is not trusted by this system (%v): if it is signed by a private CA, point SSL_CERT_FILE at a PEM bundle that includes it", f.base.Host, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Errorf("cannot connect to %s: connection refused; check --api-url / POLYTOMIC_API_URL", f.base)
	}
	return fmt.Errorf("calling the Polytomic API at %s failed: %w", f.base.Host, err)
}

// usefulHeaders keeps the few headers an agent can act on.
func usefulHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"X-Polytomic-Version", "Content-Type", "Retry-After", "X-Request-Id", "X-Polytomic-Request-Id", "Request-Id"} {
		if v := h.Get(k); v != "" {
			out[strings.ToLower(k)] = v
		}
	}
	return out
}

// fillBody sets the result's body: filtered, compacted and cut to size.
func (f *Forwarder) fillBody(res *ExecResult, body []byte, rep *httpReply, p *plan) {
	isJSON := strings.Contains(rep.header.Get("Content-Type"), "json") || (len(body) > 0 && json.Valid(body))
	if rep.cut {
		res.Notes = append(res.Notes, fmt.Sprintf("the API sent more than %d MB; only the start was read", maxReadBytes>>20))
	}
	if p.filter != "" && len(body) > 0 {
		filtered, err := jsonfilter.Apply(body, p.filter)
		if err != nil {
			res.Notes = append(res.Notes, err.Error()+"; showing the whole reply")
		} else {
			body, isJSON = filtered, true
		}
	}
	if isJSON && !rep.cut {
		var buf bytes.Buffer
		if json.Compact(&buf, body) == nil {
			body = buf.Bytes()
		}
	}
	total := int64(len(body))
	if len(body) > f.cfg.MaxResponseBytes || rep.cut {
		n := min(len(body), f.cfg.MaxResponseBytes)
		for n > 0 && n < len(body) && !utf8RuneStart(body[n]) {
			n--
		}
		res.text = string(body[:n])
		res.Truncated = &Truncation{ShownBytes: n, TotalBytes: total, ReadLimit: rep.cut}
		return
	}
	res.text = string(body)
	if isJSON && len(body) > 0 {
		var v any
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if d.Decode(&v) == nil {
			res.Body = v
		}
	}
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// describeError fills the error fields of a result with HTTP status >= 400.
func (f *Forwarder) describeError(res *ExecResult, rep *httpReply, p *plan) {
	var ae APIError
	if json.Unmarshal(rep.body, &ae) != nil || (ae.Message == "" && ae.Key == "") {
		ae = APIError{Message: strings.TrimSpace(truncate(string(rep.body), 2000))}
	}
	res.Error = &ae
	res.text = truncate(string(rep.body), f.cfg.MaxResponseBytes)
	opRef := "the operation"
	if p.op != nil {
		opRef = "operation=" + p.op.ID
	}
	switch s := rep.status; {
	case s == 401:
		res.Hint = "the API key was rejected: run `polytomic-mcp login` with a valid key (or set POLYTOMIC_API_KEY), then retry"
	case s == 403:
		res.Hint = "the key is not allowed to do this: check the user's role and permissions"
		if p.op != nil && p.op.PartnerOnly && !f.cfg.PartnerMode {
			res.Hint = "this endpoint needs a partner key: run `polytomic-mcp login --partner`, or start the server with --auth-mode partner"
		}
	case s == 404:
		res.Hint = "not found: check the ids in the path (list the collection to find them) and, in partner mode, the organization"
	case s == 409:
		res.Hint = "conflict: a request with the same idempotency key is still in flight, or the resource is busy (for example a sync that is already running); retry later or with a new idempotency_key"
	case s == 400 || s == 422:
		res.Hint = "the API rejected the input; see the details, and the schema with search " + opRef
	case s == 429:
		res.Hint = "rate limited"
		if ra := rep.header.Get("Retry-After"); ra != "" {
			res.Hint += ": retry after " + ra + " s"
		}
		if rep.attempts > 1 {
			res.Hint += fmt.Sprintf(" (already tried %d times)", rep.attempts)
		}
	case s >= 500:
		res.Hint = "Polytomic had a server error"
		if rep.attempts > 1 {
			res.Hint += fmt.Sprintf(" (tried %d times)", rep.attempts)
		}
		res.Hint += "; retry later"
	}
}

func totalLen(pages [][]byte) int {
	n := 0
	for _, p := range pages {
		n += len(p)
	}
	return n
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// mergePages joins the data arrays of several pages into one reply.
func mergePages(pages [][]byte, pag *spec.Pagination) ([]byte, int) {
	var items []json.RawMessage
	for _, p := range pages {
		for _, it := range gjson.GetBytes(p, "data").Array() {
			items = append(items, json.RawMessage(it.Raw))
		}
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	next := ""
	if len(pages) > 0 {
		next = gjson.GetBytes(pages[len(pages)-1], pag.ResponseToken).String()
	}
	out, _ := json.Marshal(map[string]any{"data": items, "pagination": map[string]string{"next_page_token": next}})
	return out, len(pages)
}

// BodyText is the reply body as returned to the model: filtered, compacted
// and cut to the size limit.
func (r *ExecResult) BodyText() string { return r.text }
