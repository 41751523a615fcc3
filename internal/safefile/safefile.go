// Package safefile is the one way polytomic-mcp writes a file it keeps: a
// config, a credential, a queue or a backup. A write never follows a
// symbolic link at the target (a hostile folder cannot redirect it to a file
// elsewhere), goes to a unique temporary file in the same folder, is synced
// and renamed over the target atomically, and keeps the target's mode (or
// uses the one given for a new file).
package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LinkError is a refused symbolic link.
type LinkError struct {
	Path   string // the link
	Target string // what it points at, as written in the link
	Root   string // set when the link was refused for leaving Root
	// Dangling: the link points nowhere, so where it leads is unknown.
	Dangling bool
}

func (e *LinkError) Error() string {
	if e.Dangling {
		return fmt.Sprintf("%s is a symbolic link to %s, which does not exist; refusing to follow it: remove the link", e.Path, e.Target)
	}
	if e.Root != "" {
		return fmt.Sprintf("%s is a symbolic link to %s, outside %s; refusing to follow it: replace the link with a regular file", e.Path, e.Target, e.Root)
	}
	return fmt.Sprintf("%s is a symbolic link to %s; refusing to write through it: replace the link with a regular file (or edit its target by hand)", e.Path, e.Target)
}

// ErrLink matches every *LinkError.
var ErrLink = errors.New("symbolic link refused")

func (e *LinkError) Is(target error) bool { return target == ErrLink }

func linkError(path, root string) *LinkError {
	target, err := os.Readlink(path)
	if err != nil {
		target = "(unreadable)"
	}
	return &LinkError{Path: path, Target: target, Root: root}
}

// Write replaces path with data. A new file gets perm; an existing one keeps
// its mode. A symbolic link at path is refused, dangling or not. The folder
// must exist.
func Write(path string, data []byte, perm fs.FileMode) error {
	mode, err := targetMode(path, perm)
	if err != nil {
		return err
	}
	return replace(path, data, mode)
}

// replace writes data to a new temp file beside path, syncs it, and renames
// it into place. rename(2) replaces whatever is at path, a link included,
// without following it: even a link created after a check is not written
// through.
func replace(path string, data []byte, mode fs.FileMode) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return err
	}
	// Removing the name after a successful rename fails harmlessly.
	defer os.Remove(tmp.Name())
	if err := writeSync(tmp, data, mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// CheckWritable reports, without writing, whether Write would refuse path:
// a symbolic link, or something other than a regular file. Callers that
// change several files check them all before writing any.
func CheckWritable(path string) error {
	_, err := targetMode(path, 0)
	return err
}

// targetMode is the mode a write to path keeps, or perm for a new file.
func targetMode(path string, perm fs.FileMode) (fs.FileMode, error) {
	st, err := os.Lstat(path)
	switch {
	case err == nil && st.Mode()&fs.ModeSymlink != 0:
		return 0, linkError(path, "")
	case err == nil && !st.Mode().IsRegular():
		return 0, fmt.Errorf("%s is not a regular file; refusing to replace it", path)
	case err == nil:
		return st.Mode().Perm(), nil
	case errors.Is(err, fs.ErrNotExist):
		return perm.Perm(), nil
	}
	return 0, err
}

func writeSync(f *os.File, data []byte, mode fs.FileMode) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Backup saves data as bak, replacing an earlier backup (one rotating
// file). The new content goes to a file created exclusively (O_EXCL: it
// cannot be an existing file or link) and is renamed into place; a link at
// bak is refused. Backups are mode 0600: they may hold other servers'
// tokens.
func Backup(bak string, data []byte) error {
	if st, err := os.Lstat(bak); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return linkError(bak, "")
	} else if err == nil && !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file; refusing to replace it", bak)
	}
	return replace(bak, data, 0o600)
}

// MoveAside renames a file that must not be overwritten (one that does not
// parse) to path.SUFFIX-TIMESTAMP and returns the new name. The new name is
// reserved exclusively first, so nothing existing is replaced.
func MoveAside(path, suffix, stamp string) (string, error) {
	if st, err := os.Lstat(path); err != nil {
		return "", err
	} else if st.Mode()&fs.ModeSymlink != 0 {
		return "", linkError(path, "")
	}
	for i := 0; i < 100; i++ {
		dst := fmt.Sprintf("%s.%s-%s", path, suffix, stamp)
		if i > 0 {
			dst = fmt.Sprintf("%s-%d", dst, i)
		}
		f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		f.Close()
		if err := os.Rename(path, dst); err != nil {
			os.Remove(dst)
			return "", err
		}
		return dst, syncDir(filepath.Dir(path))
	}
	return "", fmt.Errorf("could not find a free name to move %s aside", path)
}

// within reports whether path is root or below it (both absolute).
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
