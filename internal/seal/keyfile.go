package seal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreateKey returns the local key kept in the file at path, first creating the file
// (mode 0600, and its folder 0700 when missing) with a new random key if there is none.
// Processes starting together end up with one key: the key is written to a temporary file
// and hard-linked into place, so path appears complete or not at all, and a link fails where
// another process's link won, which sends the loser to read the winner's key. A file that is
// not regular, not KeySize bytes long, or open to its group or others is refused.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := readKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the folder of key file %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("create key file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	key = randomBytes(KeySize)
	_, writeErr := tmp.Write(key)
	syncErr := tmp.Sync()
	if err := errors.Join(writeErr, syncErr, tmp.Close()); err != nil {
		clear(key)
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	// Unlike a rename, a link never replaces a file already at path.
	switch err := os.Link(tmp.Name(), path); {
	case errors.Is(err, fs.ErrExist):
		clear(key)
		return readKey(path)
	case err != nil:
		clear(key)
		return nil, fmt.Errorf("create key file %s: %w", path, err)
	}
	return key, nil
}

// readKey reads the key in the file at path, refusing a file that cannot hold one safely.
// A missing file gives an error that is fs.ErrNotExist.
func readKey(path string) ([]byte, error) {
	// Checked before opening: opening a named pipe would block.
	st, err := os.Stat(path)
	if err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("key file %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	defer f.Close()
	if st, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	switch {
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("key file %s is not a regular file", path)
	case st.Mode().Perm()&0o077 != 0:
		return nil, fmt.Errorf("key file %s has mode %04o, open to its group or others: make it 0600 (chmod 600 %s)", path, st.Mode().Perm(), path)
	case st.Size() != KeySize:
		return nil, fmt.Errorf("key file %s holds %d bytes, want %d: it is not a key this program made", path, st.Size(), KeySize)
	}
	key := make([]byte, KeySize)
	if _, err := io.ReadFull(f, key); err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	return key, nil
}
