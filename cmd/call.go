package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/polytomic-mcp/polytomic-mcp/forward"

	"github.com/spf13/cobra"
)

// CallOptions configure `polytomic-mcp call`.
type CallOptions struct {
	IO       *IOStreams
	Factory  *Factory
	LogLevel string
	API      apiFlags

	Args           []string // OPERATION_ID, or METHOD PATH
	Params         []string // k=v, with an operation id
	Query          []string // k=v, with METHOD PATH
	Body           string   // JSON, @file or @- for stdin
	Filter         string
	AllPages       bool
	MaxPages       int
	IdempotencyKey string
	OrganizationID string
}

// NewCmdCall builds `polytomic-mcp call`.
func NewCmdCall(f *Factory, ro *rootOptions, runF func(context.Context, *CallOptions) error) *cobra.Command {
	opts := &CallOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "call (OPERATION_ID | METHOD PATH) [flags]",
		Short: "Make a Polytomic API call, as the execute tool does",
		Long: `Make a Polytomic REST call through the same code path as the execute tool:
the same validation, headers, read-only mode, retries and limits. The reply
body is printed as pretty JSON; HTTP errors exit non-zero.`,
		Example: `  polytomic-mcp call bulkSync_list
  polytomic-mcp call bulkSync_executions_list --param id=SYNC_ID --param only_terminal=true
  polytomic-mcp call GET /api/bulk/syncs/SYNC_ID/executions --query limit=5 --filter 'data.#.{id,status}'
  polytomic-mcp call POST /api/bulk/syncs/SYNC_ID/activate --body '{"active": false}'`,
		Args: usageArgs(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			opts.LogLevel = ro.logLevel(f)
			if err := opts.API.load(cmd.Flags(), f); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return callRun(cmd.Context(), opts)
		},
	}
	addAPIFlags(cmd.Flags(), &opts.API)
	fl := cmd.Flags()
	fl.StringArrayVarP(&opts.Params, "param", "p", nil, "parameter k=v for an OPERATION_ID (path or query, placed by the spec)")
	fl.StringArrayVarP(&opts.Query, "query", "q", nil, "query parameter k=v for METHOD PATH (repeat a key for a list)")
	fl.StringVarP(&opts.Body, "body", "d", "", "JSON body, @file, or @- to read standard input")
	fl.StringVar(&opts.Filter, "filter", "", "gjson path to keep part of the reply, e.g. 'data.#.{id,name}'")
	fl.BoolVar(&opts.AllPages, "all-pages", false, "follow paging up to --max-pages")
	fl.IntVar(&opts.MaxPages, "max-pages", 0, "pages to follow with --all-pages (default 5)")
	fl.StringVar(&opts.IdempotencyKey, "idempotency-key", "", "Idempotency-Key for a POST (generated if omitted)")
	fl.StringVar(&opts.OrganizationID, "organization-id", "", "partner mode: act in this organization for this call")
	return cmd
}

func callRun(ctx context.Context, opts *CallOptions) error {
	logger, err := newLogger(opts.IO.ErrOut, opts.LogLevel)
	if err != nil {
		return err
	}
	req, err := opts.request()
	if err != nil {
		return err
	}
	f := opts.Factory
	fwd, _, err := opts.API.forwarder(f, logger)
	if err != nil {
		return err
	}
	res, err := fwd.Execute(ctx, req)
	if err != nil {
		return err
	}
	if err := printBody(opts.IO.Out, res); err != nil {
		return err
	}
	for _, n := range res.Notes {
		fmt.Fprintf(opts.IO.ErrOut, "note: %s\n", n)
	}
	if res.Truncated != nil {
		fmt.Fprintf(opts.IO.ErrOut, "note: the reply was cut at %d of %d bytes (--max-response-bytes, --filter)\n", res.Truncated.ShownBytes, res.Truncated.TotalBytes)
	}
	if res.NextPageToken != "" {
		fmt.Fprintf(opts.IO.ErrOut, "note: more pages: page_token=%s (or --all-pages)\n", res.NextPageToken)
	}
	if res.IsError() {
		msg := fmt.Sprintf("HTTP %d", res.Status)
		if res.Error != nil && res.Error.Message != "" {
			msg += ": " + res.Error.Message
		}
		if res.Hint != "" {
			msg += "\nhint: " + res.Hint
		}
		return errors.New(msg)
	}
	return nil
}

// request turns the command line into an ExecRequest.
func (o *CallOptions) request() (forward.Request, error) {
	var req forward.Request
	switch len(o.Args) {
	case 1:
		if len(o.Query) > 0 {
			return req, fmt.Errorf("--query goes with METHOD PATH; with an OPERATION_ID use --param")
		}
		req.OperationID = o.Args[0]
		req.Params = map[string]any{}
		if err := addKV(req.Params, o.Params, "--param"); err != nil {
			return req, err
		}
	case 2:
		if len(o.Params) > 0 {
			return req, fmt.Errorf("--param goes with an OPERATION_ID; with METHOD PATH use --query and put ids in the path")
		}
		req.Method, req.Path = o.Args[0], o.Args[1]
		req.Query = map[string]any{}
		if err := addKV(req.Query, o.Query, "--query"); err != nil {
			return req, err
		}
	}
	if o.Body != "" {
		body, err := o.readBody()
		if err != nil {
			return req, err
		}
		req.Body = body
	}
	req.ResponseFilter, req.AllPages, req.MaxPages = o.Filter, o.AllPages, o.MaxPages
	req.IdempotencyKey, req.OrganizationID = o.IdempotencyKey, o.OrganizationID
	return req, nil
}

func (o *CallOptions) readBody() (json.RawMessage, error) {
	data := []byte(o.Body)
	switch {
	case o.Body == "@-":
		b, err := io.ReadAll(io.LimitReader(o.IO.In, 16<<20))
		if err != nil {
			return nil, fmt.Errorf("reading the body from stdin: %w", err)
		}
		data = b
	case strings.HasPrefix(o.Body, "@"):
		b, err := os.ReadFile(o.Body[1:])
		if err != nil {
			return nil, fmt.Errorf("reading the body: %w", err)
		}
		data = b
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("--body is not valid JSON")
	}
	return data, nil
}

// addKV parses k=v pairs; a key given twice becomes a list.
func addKV(dst map[string]any, pairs []string, flag string) error {
	for _, kv := range pairs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("%s %q: use key=value", flag, kv)
		}
		switch prev := dst[k].(type) {
		case nil:
			dst[k] = v
		case string:
			dst[k] = []any{prev, v}
		case []any:
			dst[k] = append(prev, v)
		}
	}
	return nil
}

// printBody writes the body: indented JSON when it is JSON.
func printBody(w io.Writer, res *forward.Result) error {
	text := res.BodyText()
	if text == "" {
		return nil
	}
	var buf bytes.Buffer
	if res.Truncated == nil && json.Indent(&buf, []byte(text), "", "  ") == nil {
		buf.WriteByte('\n')
		_, err := w.Write(buf.Bytes())
		return err
	}
	_, err := fmt.Fprintln(w, text)
	return err
}
