// Package localdb serves an embedded, in-process DynamoDB-compatible database over HTTP on
// a loopback port, so the local stack and the tests use the real AWS SDK client without an
// AWS account.
//
// The engine is this package's own: tables keep each partition's items sorted by sort key
// (and likewise each global secondary index), so every operation costs what it touches, not
// what the table holds, and transactions are checked in full before anything is written.
// Expressions (conditions, filters, updates and projections) are evaluated by the
// interpreter of github.com/truora/minidyn, item by item.
package localdb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is a running embedded DynamoDB. Its data lives in memory and dies with it.
type Server struct {
	URL string
	srv *http.Server

	mu    sync.Mutex
	fresh map[net.Conn]bool // connections that have not begun a request
}

// Start serves a fresh embedded DynamoDB on addr, a loopback address such as
// "127.0.0.1:0" (any free port).
func Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for embedded DynamoDB on %s: %w", addr, err)
	}
	return serve(ln, newEngine(time.Now)), nil
}

// serve answers DynamoDB requests on ln with db until Close.
func serve(ln net.Listener, db http.Handler) *Server {
	s := &Server{URL: "http://" + ln.Addr().String(), fresh: map[net.Conn]bool{}}
	s.srv = &http.Server{Handler: db, ReadHeaderTimeout: 10 * time.Second, ConnState: s.track}
	// Shutdown waits for connections that never sent a request as if they were busy, for
	// seconds; clients that raced many requests leave some. Nothing is lost closing them.
	s.srv.RegisterOnShutdown(s.closeFresh)
	go func() {
		// Serve returns ErrServerClosed after Close; any other error ends the listener,
		// and clients then see refused connections.
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = ln.Close()
		}
	}()
	return s
}

func (s *Server) track(c net.Conn, state http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if state == http.StateNew {
		s.fresh[c] = true
	} else {
		delete(s.fresh, c)
	}
}

func (s *Server) closeFresh() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.fresh {
		_ = c.Close()
	}
}

// Close stops the server, waiting briefly for requests under way.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.srv.Shutdown(ctx)
}
