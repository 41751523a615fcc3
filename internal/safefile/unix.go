//go:build unix

package safefile

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

func makePrivate(dir string, st fs.FileInfo) error {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Geteuid() {
		return fmt.Errorf("%s belongs to another user (uid %d); refusing to keep private files in it", dir, sys.Uid)
	}
	if st.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("%s is open to other users (mode %#o) and could not be made private: %w; run chmod 700 %s", dir, st.Mode().Perm(), err, dir)
	}
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: some file
// systems refuse fsync on a folder, and the rename itself has succeeded.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	_ = d.Sync()
	_ = d.Close()
	return nil
}
