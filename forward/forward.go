// Package forward makes Polytomic REST calls for an agent or a shell user:
// it checks a request against the API snapshot before any I/O, injects the
// key and mode headers, retries where that is safe, and shapes the reply to
// a size a model can read. The MCP tools (proxy) and the CLI (cmd) share it.
package forward

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/tidwall/gjson"

	"github.com/polytomic-mcp/polytomic-mcp/internal/jsonfilter"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// KeySource supplies the API key. The auth package implements it over the
// keychain; tests use a fixed key.
type KeySource interface {
	// APIKey returns the key to use, or an error that says how to set one.
	APIKey(ctx context.Context) (string, error)
	// Reload reads the store again, after the API rejected the key: a
	// `polytomic-mcp login` done while the server runs is picked up.
	Reload(ctx context.Context) (string, error)
}

// Defaults for Config.
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

// Config is what the forwarder needs to know about the API.
type Config struct {
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
	cfg    Config
	base   *url.URL
	keys   KeySource
	client *http.Client
	index  func() (*spec.Index, error)
	logger *slog.Logger
	// sleep waits between retries; tests replace it.
	sleep func(context.Context, time.Duration) error
}

// New checks cfg and builds a forwarder. httpClient may be nil.
func New(cfg Config, keys KeySource, index func() (*spec.Index, error), httpClient *http.Client, logger *slog.Logger) (*Forwarder, error) {
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
	c.CheckRedirect = redirectPolicy(base)
	return &Forwarder{cfg: cfg, base: base, keys: keys, client: &c, index: index, logger: logger, sleep: sleepCtx}, nil
}

var errCrossHostRedirect = errors.New("refused to follow a redirect to another host or scheme")

// redirectPolicy follows a redirect only where the original request would
// have been allowed to go: a GET, to the same scheme and host, under the
// API's /api/. A write is never re-sent to another resource; the agent gets
// the redirect itself, with its Location, instead.
func redirectPolicy(base *url.URL) func(*http.Request, []*http.Request) error {
	apiPrefix := strings.TrimRight(base.EscapedPath(), "/") + "/api/"
	return func(req *http.Request, via []*http.Request) error {
		switch {
		case req.URL.Scheme != base.Scheme || req.URL.Host != base.Host:
			return fmt.Errorf("%w to %s://%s", errCrossHostRedirect, req.URL.Scheme, req.URL.Host)
		case via[0].Method != http.MethodGet:
			return http.ErrUseLastResponse
		case !strings.HasPrefix(req.URL.EscapedPath(), apiPrefix):
			return fmt.Errorf("%w: %s is outside %s", errOffAPIRedirect, req.URL.EscapedPath(), apiPrefix)
		case checkConcretePath(strings.TrimPrefix(req.URL.EscapedPath(), strings.TrimRight(base.EscapedPath(), "/"))) != nil:
			// The same checks as a path the agent gives: no dot segments,
			// encoded or not, and no encoded slashes or backslashes.
			return fmt.Errorf("%w: %s", errOffAPIRedirect, req.URL.EscapedPath())
		case len(via) >= 5:
			return errors.New("stopped after 5 redirects")
		}
		return nil
	}
}

var errOffAPIRedirect = errors.New("refused to follow a redirect out of the API")

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
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("API URL %q must use https (http is allowed only for localhost)", raw)
		}
	default:
		return nil, fmt.Errorf("API URL %q must use https", raw)
	}
	return u, nil
}

// IsLoopback reports whether host names this machine: where plain http is
// allowed, for the API and for feedback alike.
func IsLoopback(host string) bool {
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

// MethodOf is the HTTP method req would use: its operation's, or the one it
// names. It is how read-only mode and the read/write tool split decide,
// before anything else is checked.
func MethodOf(ix *spec.Index, req Request) (string, error) {
	if op, ok := ix.Lookup(req.OperationID); ok {
		return op.Method, nil
	}
	m := strings.ToUpper(strings.TrimSpace(req.Method))
	if m != "" && !spec.IsMethod(m) {
		return "", badInput("method must be %s, got %q", spec.MethodList(), req.Method)
	}
	return m, nil
}

// Execute validates req and makes the call.
func (f *Forwarder) Execute(ctx context.Context, req Request) (*Result, error) {
	ix, err := f.index()
	if err != nil {
		return nil, err
	}
	p, err := f.prepare(ix, req)
	if err != nil {
		return nil, err
	}
	key, err := f.keys.APIKey(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()

	res := &Result{Method: p.method, Path: p.path, AllPages: p.allPages}
	var pag *spec.Pagination
	if p.op != nil {
		res.OperationID, pag = p.op.ID, p.op.Pagination
	} else {
		res.Notes = append(res.Notes, "unlisted path: not in the API snapshot, sent because --allow-unlisted is set")
	}
	if p.allPages && pag == nil {
		res.Notes = append(res.Notes, "all_pages ignored: this operation does not page")
		p.allPages, res.AllPages = false, false
	}
	last, pages, err := f.fetch(ctx, p, pag, &key, res)
	if err != nil {
		return nil, f.explain(ctx, err)
	}
	if err := f.finish(res, last, pages, p, pag); err != nil {
		return nil, err
	}
	return res, nil
}

// prepare checks req, read-only mode first, and plans the request; nothing
// here touches the network.
func (f *Forwarder) prepare(ix *spec.Index, req Request) (*plan, error) {
	// Read-only mode answers first: whatever else is wrong with a write,
	// the agent needs to know that writes are off.
	if f.cfg.ReadOnly {
		method, err := MethodOf(ix, req)
		if err != nil {
			return nil, err
		}
		if method != "" && !spec.IsReadMethod(method) {
			return nil, fmt.Errorf("%w: %s would change data, and this server only reads (--access-mode read-only or POLYTOMIC_ACCESS_MODE=read-only); restart it with --access-mode full-access to allow writes",
				ErrReadOnly, method)
		}
	}
	if req.OrganizationID != "" && !f.cfg.PartnerMode {
		return nil, badInput("organization_id applies only in partner mode: start the server with --auth-mode partner and a partner key")
	}
	p, err := buildPlan(ix, f.withDefaultOrg(ix, req), f.cfg.AllowUnlisted)
	if err != nil {
		return nil, err
	}
	if p.apiVersion = f.cfg.APIVersion; p.apiVersion == "" {
		p.apiVersion = ix.API().Version
	}
	switch idempotent := p.op != nil && p.op.Idempotent; {
	case p.idemKey == "" && idempotent:
		// The description says this operation honours Idempotency-Key: a
		// generated one makes retries of the write safe.
		p.idemKey = uuid.NewString()
	case p.idemKey != "" && !idempotent:
		// Go's HTTP client replays a request that carries the header on a
		// broken connection: for a write the API would not deduplicate,
		// that could do it twice.
		return nil, badInput("idempotency_key: %s %s does not honour Idempotency-Key (per the API description), so it is sent once, without one; leave idempotency_key out", p.method, p.path)
	}
	return p, nil
}

// orgParam is the path parameter that names an organization in the
// partner endpoints (/api/organizations/{org_id}/...).
const orgParam = "org_id"

// withDefaultOrg fills {org_id} with the organization the call acts in
// (organization_id, else --partner-org-id) when the agent left it out: in
// partner mode the organization is already known.
func (f *Forwarder) withDefaultOrg(ix *spec.Index, req Request) Request {
	org := strings.TrimSpace(req.OrganizationID)
	if org == "" {
		org = f.cfg.PartnerOrgID
	}
	if !f.cfg.PartnerMode || org == "" {
		return req
	}
	tmpl, vals := req.Path, req.PathParams
	if op, ok := ix.Lookup(req.OperationID); ok {
		tmpl, vals = op.Path, req.Params
	}
	if !strings.Contains(tmpl, "{"+orgParam+"}") {
		return req
	}
	if _, given := vals[orgParam]; given {
		return req
	}
	filled := map[string]any{orgParam: org}
	for k, v := range vals {
		filled[k] = v
	}
	if req.OperationID != "" {
		req.Params = filled
	} else {
		req.PathParams = filled
	}
	return req
}

// fetch sends the request, following pages when all_pages asks for them.
// It returns the last reply and, when paging, every page's body.
func (f *Forwarder) fetch(ctx context.Context, p *plan, pag *spec.Pagination, key *string, res *Result) (*httpReply, [][]byte, error) {
	var pages [][]byte
	query := p.query
	for page := 1; ; page++ {
		rep, err := f.sendWithRetry(ctx, p, query, key)
		if err != nil {
			return nil, nil, err
		}
		if rep.status >= 400 || !p.allPages || rep.cut {
			return rep, pages, nil
		}
		pages = append(pages, rep.body)
		tok := gjson.GetBytes(rep.body, pag.ResponseToken).String()
		if tok == "" || page >= p.maxPages || totalLen(pages) > f.cfg.MaxResponseBytes {
			res.NextPageToken = tok
			return rep, pages, nil
		}
		query = cloneValues(p.query)
		query.Set(pag.RequestToken, tok)
	}
}

// finish fills the result from the last reply (and the pages, if any).
//
// A read whose response_filter ran over its budget is an error: the agent
// narrows the filter and reads again. After a write it is only a note, so
// that a write that was done is never reported as failed.
func (f *Forwarder) finish(res *Result, last *httpReply, pages [][]byte, p *plan, pag *spec.Pagination) error {
	res.Status = last.status
	res.Headers = usefulHeaders(last.header)
	res.MovedTo = last.movedTo
	if last.status >= 300 && last.status < 400 {
		res.Notes = append(res.Notes, fmt.Sprintf("the API redirected this %s to %s; it was not re-sent there (only reads follow redirects)", p.method, last.header.Get("Location")))
	}
	if res.Status >= 400 {
		f.describeError(res, last, p)
		return nil
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
		res.NextParam = pag.RequestToken
	}
	err := f.fillBody(res, body, last, p)
	if errors.Is(err, jsonfilter.ErrBudget) && spec.IsReadMethod(p.method) {
		return fmt.Errorf("%w: %w", ErrBadInput, err)
	}
	return nil
}

// httpReply is one HTTP response, read through the size limit.
type httpReply struct {
	status   int
	header   http.Header
	body     []byte
	cut      bool // the body was larger than maxReadBytes
	attempts int
	// movedTo is the path (and query) that answered, when a redirect was
	// followed; empty otherwise.
	movedTo string
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
	if final := resp.Request.URL; final.String() != req.URL.String() {
		rep.movedTo = final.RequestURI()
	}
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
	u.Path = strings.TrimRight(f.base.Path, "/") + unescapedOrRaw(p.path)
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
	if p.idemKey != "" && !spec.IsReadMethod(p.method) {
		req.Header.Set("Idempotency-Key", p.idemKey)
	}
	return req, nil
}

// explain turns a transport error into what happened and what to do.
func (f *Forwarder) explain(ctx context.Context, err error) error {
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	switch {
	case errors.Is(err, errCrossHostRedirect) || errors.Is(err, errOffAPIRedirect):
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
