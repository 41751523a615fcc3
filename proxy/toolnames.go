package proxy

import "github.com/polytomic-mcp/polytomic-mcp/spec"

// Tool names, written once: the server registers them, search results and
// error messages name them.
const (
	ToolSearch       = "search"
	ToolExecute      = "execute"
	ToolExecuteWrite = "execute_write"
	ToolFeedback     = "submit_mcp_feedback"
)

// ToolFor names the tool that runs an operation with this HTTP method. Reads
// and writes are separate tools because clients approve per tool: a user can
// let reads run unprompted while every write still asks.
func ToolFor(method string) string {
	if spec.IsReadMethod(method) {
		return ToolExecute
	}
	return ToolExecuteWrite
}
