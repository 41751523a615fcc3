//go:build !unix

package safefile

import "io/fs"

func makePrivate(string, fs.FileInfo) error { return nil }

// syncDir is a no-op: Windows cannot fsync a folder handle, and its rename
// (MoveFileEx with REPLACE_EXISTING) is durable by itself.
func syncDir(string) error { return nil }
