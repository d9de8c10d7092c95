package seal

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
)

// golden are secrets sealed by the local sealer under goldenKey for goldenOrg in format
// version 1, when it was introduced: every later build must still open them.
var golden = []struct {
	plaintext string
	sealed    string // hex
}{
	{"", "010256074065f1fedaf40044890a75946363a4fc16e116b73d16abf244b823012527f37470321f2dd09b87f0c20c67fedab0423ae79205a51a6069e6197f682233203be5bca0989ad9c331d49904f2d78d184a508002ba89af3bbfc6c6c7ce171af7acb3a2bed520ed6b06dd"},
	{`{"client_secret":"golden-secret"}`, "010256074065f1fedaf40044890a75946363a4fc712f447c15f5f88a93d47fdbe2f126b2e5b4b42006401b89e7c99bd8a02c68b51cd33c5697ee2e45677507cfe4a7b5962a65180d336ae32586d40ac47a0a07b7ca110634d0ed905132a71c8f07690af2617b340bc2ddeeb724afa1bc61023202d1a69e55f7a669984b67e49c362d135d21112a16bd4ece65fb"},
}

const goldenOrg = "org_golden"

// goldenSealer is the local sealer under the key 0x00, 0x01, ... 0x1f.
func goldenSealer(tb testing.TB) *Local {
	tb.Helper()
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(i)
	}
	l, err := NewLocal(key)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// goldenBlob is golden[i].sealed as bytes.
func goldenBlob(tb testing.TB, i int) []byte {
	tb.Helper()
	b, err := hex.DecodeString(golden[i].sealed)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestOpenReadsFormatVersion1(t *testing.T) {
	l := goldenSealer(t)
	for i, g := range golden {
		got, err := l.Open(context.Background(), goldenOrg, goldenBlob(t, i))
		if err != nil {
			t.Fatalf("golden %d: %v", i, err)
		}
		if string(got) != g.plaintext {
			t.Errorf("golden %d opened as %q, want %q", i, got, g.plaintext)
		}
	}
}

// FuzzOpen opens any bytes with the local sealer: never a panic, every refusal one of the
// package's errors, and success only for the bytes Seal wrote (the golden secrets), since any
// change to a sealed secret must be noticed.
func FuzzOpen(f *testing.F) {
	l := goldenSealer(f)
	var blobs [][]byte
	for i := range golden {
		b := goldenBlob(f, i)
		blobs = append(blobs, b)
		f.Add(b)
		f.Add(b[:len(b)-1])
		f.Add(flip(b, len(b)/2))
	}
	f.Add([]byte{})
	f.Add([]byte{version1})
	f.Add([]byte{version1, byte(kindKMS)})
	f.Add(bytes.Repeat([]byte{version1}, 200))
	refusals := []error{ErrCorrupt, ErrUnknownVersion, ErrWrongSealer, ErrWrongOrg, ErrWrongKey, ErrTampered}
	f.Fuzz(func(t *testing.T, sealed []byte) {
		got, err := l.Open(context.Background(), goldenOrg, sealed)
		if err != nil {
			if got != nil {
				t.Fatalf("Open refused (%v) but returned %d bytes", err, len(got))
			}
			if !slices.ContainsFunc(refusals, func(s error) bool { return errors.Is(err, s) }) {
				t.Fatalf("Open refused with an error of none of the package's kinds: %v", err)
			}
			return
		}
		i := slices.IndexFunc(blobs, func(b []byte) bool { return bytes.Equal(b, sealed) })
		if i < 0 {
			t.Fatalf("Open accepted %x, which Seal did not write, as %q", sealed, got)
		}
		if string(got) != golden[i].plaintext {
			t.Fatalf("golden %d opened as %q, want %q", i, got, golden[i].plaintext)
		}
	})
}
