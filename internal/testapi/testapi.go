// Package testapi gives tests an httptest stand-in for the Polytomic API
// that records every request, and a fixed key source. Only tests import it.
package testapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Key is the API key tests use; leak tests look for it in output.
const Key = "pk_test_0123456789abcdef"

// ErrNoKey stands for a key store's "no key" error, which the forwarder
// passes on as it is.
var ErrNoKey = errors.New("no API key: run `polytomic-mcp login` or set POLYTOMIC_API_KEY")

// Keys is a fixed key source. An empty Key answers ErrNoKey; ReloadKey, if
// set, is what the store holds after a re-login.
type Keys struct {
	Key       string
	ReloadKey string
}

// APIKey returns the fixed key.
func (k Keys) APIKey(context.Context) (string, error) {
	if k.Key == "" {
		return "", ErrNoKey
	}
	return k.Key, nil
}

// Reload returns ReloadKey, or the same key again.
func (k Keys) Reload(ctx context.Context) (string, error) {
	if k.ReloadKey != "" {
		return k.ReloadKey, nil
	}
	return k.APIKey(ctx)
}

// Server is the fake API.
type Server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []Request
	// handle answers a request; nil answers 200 {"data":[]}. n counts
	// requests from 1.
	handle func(w http.ResponseWriter, r *http.Request, n int)
}

// Request is one request the fake API saw.
type Request struct {
	Method, Path, RawPath, RawQuery string
	Header                          http.Header
	Body                            string
}

// New starts a fake API that is closed when the test ends.
func New(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, n int)) *Server {
	f := &Server{handle: handle}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, Request{r.Method, r.URL.Path, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), string(body)})
		n := len(f.reqs)
		f.mu.Unlock()
		if f.handle == nil {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"data":[]}`)
			return
		}
		f.handle(w, r, n)
	}))
	t.Cleanup(f.Close)
	return f
}

// Requests returns what the API has seen so far.
func (f *Server) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.reqs...)
}
