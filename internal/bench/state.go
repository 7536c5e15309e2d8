package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// stateServer serves Terraform's http state backend in memory, with locking, as a remote backend
// (S3, HCP Terraform) keeps state off the local disk: each path is one state.
type stateServer struct {
	*httptest.Server
	mu     sync.Mutex
	states map[string][]byte
	locks  map[string][]byte
}

func newStateServer() *stateServer {
	s := &stateServer{states: map[string][]byte{}, locks: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// backendBlock is the backend configuration of the state of the given name.
func (s *stateServer) backendBlock(name string) string {
	url := fmt.Sprintf("%s/state/%s", s.URL, name)
	return fmt.Sprintf("  backend \"http\" {\n    address        = %[1]q\n    lock_address   = %[1]q\n    unlock_address = %[1]q\n  }\n", url)
}

func (s *stateServer) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := r.URL.Path
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		state, ok := s.states[key]
		if !ok {
			w.WriteHeader(http.StatusNotFound) // no state yet
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(state)
	case http.MethodPost:
		s.states[key] = body
	case http.MethodDelete:
		delete(s.states, key)
	case "LOCK":
		if held, ok := s.locks[key]; ok {
			w.WriteHeader(http.StatusLocked) // Terraform shows the holder's lock info
			_, _ = w.Write(held)
			return
		}
		s.locks[key] = body
	case "UNLOCK":
		delete(s.locks, key)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}
