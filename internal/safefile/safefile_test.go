package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot create symbolic links here: %v", err)
	}
}

func mustWrite(t *testing.T, path, data string, perm fs.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// leftovers lists temporary files a write left behind.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWrite(t *testing.T) {
	for _, tt := range []struct {
		name     string
		setup    func(t *testing.T, dir, outside string) // prepares dir/f
		wantErr  string
		wantMode fs.FileMode
	}{
		{name: "new file gets perm", setup: func(*testing.T, string, string) {}, wantMode: 0o600},
		{name: "existing file keeps its mode", setup: func(t *testing.T, dir, _ string) {
			mustWrite(t, filepath.Join(dir, "f"), "old", 0o640)
		}, wantMode: 0o640},
		{name: "dangling link is refused", setup: func(t *testing.T, dir, outside string) {
			symlink(t, filepath.Join(outside, "created"), filepath.Join(dir, "f"))
		}, wantErr: "is a symbolic link to"},
		{name: "link to a file outside is refused", setup: func(t *testing.T, dir, outside string) {
			mustWrite(t, filepath.Join(outside, "global.json"), "global", 0o600)
			symlink(t, filepath.Join(outside, "global.json"), filepath.Join(dir, "f"))
		}, wantErr: "is a symbolic link to"},
		{name: "link to a file inside is refused too", setup: func(t *testing.T, dir, _ string) {
			mustWrite(t, filepath.Join(dir, "real"), "real", 0o600)
			symlink(t, "real", filepath.Join(dir, "f"))
		}, wantErr: "is a symbolic link to real"},
		{name: "a folder is not replaced", setup: func(t *testing.T, dir, _ string) {
			os.Mkdir(filepath.Join(dir, "f"), 0o700)
		}, wantErr: "not a regular file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, outside := t.TempDir(), t.TempDir()
			tt.setup(t, dir, outside)
			path := filepath.Join(dir, "f")
			if cerr := CheckWritable(path); (cerr == nil) != (tt.wantErr == "") {
				t.Errorf("CheckWritable = %v, want an error: %v", cerr, tt.wantErr != "")
			}
			err := Write(path, []byte("new"), 0o600)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(tt.wantErr, "symbolic") && (!errors.Is(err, ErrLink) || !strings.Contains(err.Error(), path)) {
					t.Errorf("err = %v: want ErrLink naming the link", err)
				}
				if _, err := os.Stat(filepath.Join(outside, "created")); err == nil {
					t.Error("the write went through a dangling link")
				}
				if b, err := os.ReadFile(filepath.Join(outside, "global.json")); err == nil && string(b) != "global" {
					t.Error("the write went through a link")
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if got := read(t, path); got != "new" {
					t.Errorf("content %q", got)
				}
				if st, _ := os.Stat(path); runtime.GOOS != "windows" && st.Mode().Perm() != tt.wantMode {
					t.Errorf("mode %v, want %v", st.Mode().Perm(), tt.wantMode)
				}
			}
			if l := leftovers(t, dir); len(l) > 0 {
				t.Errorf("temporary files left: %v", l)
			}
		})
	}
}

func TestBackup(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	bak := filepath.Join(dir, "x.bak")
	for _, content := range []string{"first", "second"} {
		if err := Backup(bak, []byte(content)); err != nil {
			t.Fatal(err)
		}
		if got := read(t, bak); got != content {
			t.Errorf("backup holds %q, want %q (one rotating file)", got, content)
		}
	}
	if st, _ := os.Stat(bak); runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v", st.Mode())
	}
	for _, tt := range []struct{ name, target string }{
		{"dangling", filepath.Join(outside, "new.json")},
		{"to an existing file", filepath.Join(outside, "old.json")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mustWrite(t, filepath.Join(outside, "old.json"), "old", 0o600)
			link := filepath.Join(dir, tt.name+".bak")
			symlink(t, tt.target, link)
			if err := Backup(link, []byte("hostile")); !errors.Is(err, ErrLink) {
				t.Fatalf("err = %v, want a refused link", err)
			}
			if _, err := os.Stat(filepath.Join(outside, "new.json")); err == nil {
				t.Error("the backup went through a dangling link")
			}
			if got := read(t, filepath.Join(outside, "old.json")); got != "old" {
				t.Error("the backup went through a link")
			}
		})
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

func TestMoveAside(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials.json")
	var moved []string
	for i := 0; i < 2; i++ {
		mustWrite(t, path, "{broken", 0o600)
		dst, err := MoveAside(path, "corrupt", "20260101T000000Z")
		if err != nil {
			t.Fatal(err)
		}
		moved = append(moved, dst)
		if got := read(t, dst); got != "{broken" {
			t.Errorf("moved content %q", got)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Error("the original is still there")
		}
	}
	if moved[0] == moved[1] || !strings.HasSuffix(moved[0], "credentials.json.corrupt-20260101T000000Z") {
		t.Errorf("names %q", moved)
	}
}

// A project folder with links of every kind: nothing may read or write
// through one that leaves it.
func TestInRoot(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	mustWrite(t, filepath.Join(outside, "global.json"), "secret", 0o600)
	mustWrite(t, filepath.Join(root, "inside.json"), "inside", 0o600)
	symlink(t, filepath.Join(outside, "global.json"), filepath.Join(root, "to-outside.json"))
	symlink(t, filepath.Join(outside, "nothing.json"), filepath.Join(root, "dangling.json"))
	symlink(t, "inside.json", filepath.Join(root, "to-inside.json"))
	symlink(t, outside, filepath.Join(root, ".cursor"))
	symlink(t, filepath.Join("..", filepath.Base(outside)), filepath.Join(root, "rel"))
	os.Mkdir(filepath.Join(root, "sub"), 0o755)
	symlink(t, "..", filepath.Join(root, "sub", "up"))

	for _, tt := range []struct {
		path, wantErr, want string
	}{
		{"inside.json", "", "inside"},
		{"to-inside.json", "", "inside"},
		{"sub/up/inside.json", "", "inside"},
		{"missing.json", "no such file", ""},
		{"to-outside.json", "outside", ""},
		{"dangling.json", "does not exist", ""},
		{".cursor/global.json", "outside", ""},
		{".cursor/mcp.json", "outside", ""},
		{"rel/global.json", "outside", ""},
	} {
		t.Run(tt.path, func(t *testing.T) {
			path := filepath.Join(root, filepath.FromSlash(tt.path))
			got, err := ReadIn(root, path)
			if tt.wantErr == "" {
				if err != nil || string(got) != tt.want {
					t.Fatalf("ReadIn = %q, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ReadIn err = %v, want %q", err, tt.wantErr)
			}
			if tt.wantErr != "no such file" {
				if !errors.Is(err, ErrLink) {
					t.Errorf("err = %v, want ErrLink", err)
				}
				if err := WriteIn(root, path, []byte("hostile"), 0o644, 0o755); !errors.Is(err, ErrLink) {
					t.Errorf("WriteIn err = %v, want ErrLink", err)
				}
			}
		})
	}
	if got := read(t, filepath.Join(outside, "global.json")); got != "secret" {
		t.Errorf("a file outside the root changed: %q", got)
	}
	for _, name := range []string{"nothing.json", "mcp.json"} {
		if _, err := os.Stat(filepath.Join(outside, name)); err == nil {
			t.Errorf("%s was created outside the root", name)
		}
	}
	// A new file in a new folder below the root is fine.
	p := filepath.Join(root, ".vscode", "mcp.json")
	if err := WriteIn(root, p, []byte("{}"), 0o644, 0o755); err != nil || read(t, p) != "{}" {
		t.Errorf("WriteIn into a new folder: %v", err)
	}
	if err := CheckIn(root, filepath.Join(outside, "x")); err == nil {
		t.Error("a path outside the root passed")
	}
}

func TestMkdirPrivate(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "file")
	mustWrite(t, file, "x", 0o600)
	if err := MkdirPrivate(file); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("a file as the folder: %v", err)
	}
	if err := MkdirPrivate(filepath.Join(file, "sub")); err == nil {
		t.Error("a folder below a file was accepted")
	}
	if runtime.GOOS == "windows" {
		return
	}
	for _, tt := range []struct {
		name string
		pre  fs.FileMode // 0: does not exist yet
	}{{"new", 0}, {"world-writable", 0o777}, {"group-readable", 0o750}, {"already private", 0o700}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "a", "polytomic-mcp")
			if tt.pre != 0 {
				os.MkdirAll(dir, 0o700)
				os.Chmod(dir, tt.pre)
			}
			if err := MkdirPrivate(dir); err != nil {
				t.Fatal(err)
			}
			if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
				t.Errorf("mode %v, want 0700", st.Mode().Perm())
			}
		})
	}
}
