package forward

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/polytomic-mcp/polytomic-mcp/internal/jsonfilter"
	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

// Result is the outcome of one execute call.
type Result struct {
	Status        int               `json:"status"`
	Headers       map[string]string `json:"headers,omitempty"`
	Body          any               `json:"body,omitempty"`
	Truncated     *Truncation       `json:"truncated,omitempty"`
	NextPageToken string            `json:"next_page_token,omitempty"`
	Pages         int               `json:"pages,omitempty"`
	Error         *APIError         `json:"error,omitempty"`
	Hint          string            `json:"hint,omitempty"`
	Notes         []string          `json:"notes,omitempty"`
	// MovedTo is the path that answered when the API redirected a read.
	MovedTo string `json:"moved_to,omitempty"`

	// Method and Path say what was called; OperationID is empty for an
	// unlisted path. NextParam is the query parameter that takes
	// NextPageToken.
	Method      string `json:"-"`
	Path        string `json:"-"`
	OperationID string `json:"-"`
	NextParam   string `json:"-"`
	// AllPages: the pages were followed (all_pages), so a remaining
	// next_page_token means max_pages or the size cap stopped it.
	AllPages bool `json:"-"`

	text string // the body as the model reads it, already cut
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
func (r *Result) IsError() bool { return r.Status >= 400 }

// UsefulHeaders are the response headers an agent can act on, lower case,
// in the order a result shows them.
func UsefulHeaders() []string {
	return []string{"x-polytomic-version", "content-type", "retry-after", "location", "x-request-id", "x-polytomic-request-id", "request-id"}
}

func usefulHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, k := range UsefulHeaders() {
		if v := h.Get(k); v != "" {
			out[k] = v
		}
	}
	return out
}

// fillBody sets the result's body: filtered, compacted and cut to size. It
// returns the filter's error, which is also noted on the result.
func (f *Forwarder) fillBody(res *Result, body []byte, rep *httpReply, p *plan) error {
	var filterErr error
	isJSON := strings.Contains(rep.header.Get("Content-Type"), "json") || (len(body) > 0 && json.Valid(body))
	if rep.cut {
		res.Notes = append(res.Notes, fmt.Sprintf("the API sent more than %d MB; only the start was read", maxReadBytes>>20))
	}
	if p.filter != "" && len(body) > 0 {
		filtered, err := jsonfilter.Apply(body, p.filter)
		if err != nil {
			filterErr = err
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
		for n > 0 && n < len(body) && !utf8.RuneStart(body[n]) {
			n--
		}
		res.text = string(body[:n])
		res.Truncated = &Truncation{ShownBytes: n, TotalBytes: total, ReadLimit: rep.cut}
		return filterErr
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
	return filterErr
}

// describeError fills the error fields of a result with HTTP status >= 400.
func (f *Forwarder) describeError(res *Result, rep *httpReply, p *plan) {
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
		switch {
		case p.op != nil && p.op.PartnerOnly && !f.cfg.PartnerMode:
			res.Hint = "this endpoint needs a partner key: run `polytomic-mcp login --partner`, or start the server with --auth-mode partner"
		case p.op != nil && !p.op.PartnerOnly && f.cfg.PartnerMode:
			res.Hint = "partner keys reach only the organization and user endpoints: for this call use a key of the organization itself (a profile in user mode)"
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
func (r *Result) BodyText() string { return r.text }
