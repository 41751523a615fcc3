package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CheckIn verifies that no symbolic link on the way from root to path, path
// included, leads outside root or nowhere. Components that do not exist yet
// are fine. Used for files in a folder the user does not control, such as a
// repository: a link there must not redirect a read or a write to a file
// elsewhere.
func CheckIn(root, path string) error {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	realRoot, err := filepath.EvalSymlinks(absRoot)
	if err != nil {
		return err
	}
	absPath, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if !within(absRoot, absPath) {
		return fmt.Errorf("%s is outside %s", path, root)
	}
	rel, _ := filepath.Rel(absRoot, absPath)
	cur := absRoot
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		if part == "." || part == "" {
			continue
		}
		cur = filepath.Join(cur, part)
		st, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		real, err := filepath.EvalSymlinks(cur)
		if err != nil {
			e := linkError(cur, root)
			e.Dangling = true
			return e
		}
		if !within(realRoot, real) {
			return linkError(cur, root)
		}
	}
	return nil
}

// ReadIn reads path after CheckIn(root, path). A missing file is an error
// matching fs.ErrNotExist.
func ReadIn(root, path string) ([]byte, error) {
	if err := CheckIn(root, path); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// MkdirIn creates dir and its missing parents below root, after checking
// that no existing link on the way leaves root.
func MkdirIn(root, dir string, perm fs.FileMode) error {
	if err := CheckIn(root, dir); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, perm); err != nil {
		return err
	}
	return CheckIn(root, dir)
}

// WriteIn is Write for a file below root: its folders are created as
// needed (with dirPerm) and no link on the way may leave root.
func WriteIn(root, path string, data []byte, perm, dirPerm fs.FileMode) error {
	if err := MkdirIn(root, filepath.Dir(path), dirPerm); err != nil {
		return err
	}
	if err := CheckIn(root, path); err != nil {
		return err
	}
	return Write(path, data, perm)
}

// MkdirPrivate creates dir (and missing parents) for files only the user
// may read. An existing folder that other users can read or write is made
// private (0700), or refused when that fails or it belongs to someone else,
// so that nothing claims privacy it does not have. On Windows, folders in
// the user profile are private by their ACLs and modes are not checked.
func MkdirPrivate(dir string) error {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return fmt.Errorf("%s exists and is not a folder; move it away", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	return makePrivate(dir, st)
}
