package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/polytomic-mcp/polytomic-mcp/proxy"
)

// SearchOptions configure `polytomic-mcp search`.
type SearchOptions struct {
	IO        *IOStreams
	Factory   *Factory
	Query     string
	Limit     int
	Method    string
	Operation string
	Catalog   bool
	JSON      bool
}

// NewCmdSearch builds `polytomic-mcp search`.
func NewCmdSearch(f *Factory, runF func(*SearchOptions) error) *cobra.Command {
	opts := &SearchOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "search [flags] QUERY...",
		Short: "Find API operations for a task, as the search tool does",
		Example: `  polytomic-mcp search "list bulk syncs"
  polytomic-mcp search --json --limit 3 pause the reverse ETL to Salesforce
  polytomic-mcp search --operation bulkSync_executions_list
  polytomic-mcp search --catalog`,
		Args: usageArgs(cobra.ArbitraryArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Query = strings.Join(args, " ")
			if opts.Query == "" && opts.Operation == "" && !opts.Catalog {
				return usageErrorf("nothing to search for: give a QUERY, e.g. polytomic-mcp search \"list bulk syncs\", --operation ID, or --catalog for every operation")
			}
			if runF != nil {
				return runF(opts)
			}
			return searchRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the structured result as JSON")
	cmd.Flags().IntVarP(&opts.Limit, "limit", "n", proxy.DefaultSearchLimit, fmt.Sprintf("number of results (1-%d)", proxy.MaxSearchLimit))
	cmd.Flags().StringVar(&opts.Method, "method", "", "only operations with this HTTP method")
	cmd.Flags().StringVar(&opts.Operation, "operation", "", "show one operation in full: an operationId or \"METHOD /path\"")
	cmd.Flags().BoolVar(&opts.Catalog, "catalog", false, "list every operation, one line each, by resource")
	return cmd
}

func searchRun(opts *SearchOptions) error {
	ix, err := opts.Factory.Index()
	if err != nil {
		return err
	}
	if opts.Limit < 1 || opts.Limit > proxy.MaxSearchLimit {
		return usageErrorf("--limit must be between 1 and %d, got %d", proxy.MaxSearchLimit, opts.Limit)
	}
	resp, err := proxy.Search(ix, proxy.SearchRequest{Query: opts.Query, Limit: opts.Limit, Method: opts.Method, Operation: opts.Operation, Catalog: opts.Catalog})
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.IO.Out, resp)
	}
	_, err = fmt.Fprintln(opts.IO.Out, proxy.RenderSearchText(resp, proxy.TextOptions{Shell: true}))
	return err
}
