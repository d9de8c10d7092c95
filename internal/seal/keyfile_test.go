package seal

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestLoadOrCreateKeyCreatesThenRereads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "secrets.key")
	key, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != KeySize || bytes.Equal(key, make([]byte, KeySize)) {
		t.Fatalf("created key of %d bytes, zero %t", len(key), bytes.Equal(key, make([]byte, KeySize)))
	}
	modes := map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700 | os.ModeDir}
	for p, want := range modes {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != want {
			t.Errorf("%s has mode %v, want %v", p, st.Mode(), want)
		}
	}
	onDisk, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(onDisk, key) {
		t.Errorf("the file holds %d bytes (%v), not the key returned", len(onDisk), err)
	}
	again, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, key) {
		t.Error("a second call returned another key")
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want the key file alone (no temporary file left)", len(entries))
	}
}

func TestLoadOrCreateKeyRefuses(t *testing.T) {
	tests := []struct {
		name string
		make func(t *testing.T, path string) // what is at path
		want string
	}{
		{"an empty file", writeKeyFile(nil, 0o600), "holds 0 bytes, want 32"},
		{"a short file", writeKeyFile(make([]byte, KeySize-1), 0o600), "holds 31 bytes, want 32"},
		{"a long file", writeKeyFile(make([]byte, KeySize+1), 0o600), "holds 33 bytes, want 32"},
		{"mode 0644", writeKeyFile(make([]byte, KeySize), 0o644), "has mode 0644, open to its group or others"},
		{"mode 0640", writeKeyFile(make([]byte, KeySize), 0o640), "has mode 0640, open to its group or others"},
		{"mode 0602", writeKeyFile(make([]byte, KeySize), 0o602), "has mode 0602, open to its group or others"},
		{"a folder", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "is not a regular file"},
		{"a named pipe", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
		}, "is not a regular file"},
		{"a link to nothing", func(t *testing.T, path string) {
			if err := os.Symlink(filepath.Join(filepath.Dir(path), "missing"), path); err != nil {
				t.Fatal(err)
			}
		}, "no such file"},
		{"a file for its folder", func(t *testing.T, path string) {
			if err := os.Remove(filepath.Dir(path)); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Dir(path), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "dir", "secrets.key")
			if err := os.Mkdir(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			tt.make(t, path)
			key, err := LoadOrCreateKey(path)
			if err == nil {
				t.Fatalf("returned a key of %d bytes, want an error", len(key))
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one naming %s and saying %q", err, path, tt.want)
			}
		})
	}
}

// writeKeyFile writes content to the key file with mode.
func writeKeyFile(content []byte, mode os.FileMode) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		t.Helper()
		if err := os.WriteFile(path, content, mode); err != nil {
			t.Fatal(err)
		}
		// WriteFile's mode is filtered by the umask.
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadOrCreateKeyConcurrentlyMakesOneKey(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "secrets.key")
		const starters = 8
		keys := make([][]byte, starters)
		errs := make([]error, starters)
		var start, done sync.WaitGroup
		start.Add(1)
		for i := range starters {
			done.Go(func() {
				start.Wait()
				keys[i], errs[i] = LoadOrCreateKey(path)
			})
		}
		start.Done()
		done.Wait()
		onDisk, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := range starters {
			if errs[i] != nil {
				t.Fatalf("round %d, starter %d: %v", round, i, errs[i])
			}
			if !bytes.Equal(keys[i], onDisk) {
				t.Fatalf("round %d: starter %d got another key than the file holds", round, i)
			}
		}
	}
}
