package httpstatus

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRecorderKeepsTheFirstStatus(t *testing.T) {
	for _, c := range []struct {
		name  string
		write func(w http.ResponseWriter)
		want  int
	}{
		{"nothing written", func(http.ResponseWriter) {}, 0},
		{"a body first is 200", func(w http.ResponseWriter) { _, _ = w.Write([]byte("x")); w.WriteHeader(http.StatusTeapot) }, http.StatusOK},
		{"the first status", func(w http.ResponseWriter) { w.WriteHeader(http.StatusNotFound); w.WriteHeader(http.StatusOK) }, http.StatusNotFound},
		{"a status, then a body", func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated); _, _ = w.Write([]byte("x")) }, http.StatusCreated},
	} {
		t.Run(c.name, func(t *testing.T) {
			under := httptest.NewRecorder()
			rec := &Recorder{ResponseWriter: under}
			c.write(rec)
			if rec.Status != c.want {
				t.Fatalf("Status = %d, want %d", rec.Status, c.want)
			}
			if c.want != 0 && under.Code != c.want {
				t.Fatalf("the writer underneath got %d, want %d", under.Code, c.want)
			}
		})
	}
}

func TestRecorderLetsTheControllerFlush(t *testing.T) {
	under := httptest.NewRecorder()
	if err := http.NewResponseController(&Recorder{ResponseWriter: under}).Flush(); err != nil {
		t.Fatalf("Flush through the recorder: %v", err)
	}
	if !under.Flushed {
		t.Fatal("the writer underneath was not flushed")
	}
}
