package cmd

import (
	"fmt"

	"github.com/spf13/cobra"
)

// VersionOptions configure `polytomic-mcp version`.
type VersionOptions struct {
	IO      *IOStreams
	Factory *Factory
	JSON    bool
}

// NewCmdVersion builds `polytomic-mcp version`.
func NewCmdVersion(f *Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, build and API snapshot",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print as JSON")
	return cmd
}

type versionInfo struct {
	Version    string `json:"version"`
	Commit     string `json:"commit"`
	Date       string `json:"date"`
	APIVersion string `json:"api_version"`
	Operations int    `json:"operations"`
}

func versionRun(opts *VersionOptions) error {
	b := opts.Factory.Build
	ix, err := opts.Factory.Index()
	if err != nil {
		return err
	}
	v := versionInfo{Version: b.Version, Commit: b.Commit, Date: b.Date, APIVersion: ix.API().Version, Operations: len(ix.API().Operations)}
	if opts.JSON {
		return writeJSON(opts.IO.Out, v)
	}
	_, err = fmt.Fprintf(opts.IO.Out, "polytomic-mcp %s (commit %s, built %s)\nPolytomic API %s snapshot, %d operations\n",
		v.Version, v.Commit, v.Date, v.APIVersion, v.Operations)
	return err
}
