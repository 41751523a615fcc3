package spec_test

import (
	"testing"

	"github.com/polytomic-mcp/polytomic-mcp/spec"
)

var benchQueries = []string{
	"list bulk syncs",
	"the reverse ETL to Salesforce keeps failing, show me the last runs",
	"pause the HubSpot model sync",
	"create a user in a specific child org by its org id, not in my current org",
	"bulk sync executions with only_terminal=true",
	"modle sync exectuions", // typo correction is the slow path
}

// BenchmarkSearch is the in-process cost of one search (limit 5) over the
// embedded snapshot; BENCHMARKS.md reports its distribution.
func BenchmarkSearch(b *testing.B) {
	ix := embeddedIndex(b)
	for _, q := range benchQueries {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ix.Search(q, spec.SearchOptions{Limit: 5})
			}
		})
	}
}

// BenchmarkEmbedded is the one-time cost of decoding the snapshot and
// building the index, paid in the background after initialize.
func BenchmarkEmbedded(b *testing.B) {
	ix := embeddedIndex(b)
	data, err := ix.API().Encode()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		api, err := spec.Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		spec.NewIndex(api)
	}
}
