package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// stateServer serves Terraform's http state backend in memory, with locking, as a remote backend
// (S3, HCP Terraform) keeps state off the local disk: each path is one state. A locked state is
// written and unlocked only by its lock's holder, whom Terraform names by the lock's ID (in the
// query of a write, in the body of an unlock); an unlock without a body is a force-unlock.
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
		if held, ok := s.locks[key]; ok && r.URL.Query().Get("ID") != lockID(held) {
			w.WriteHeader(http.StatusLocked)
			_, _ = w.Write(held)
			return
		}
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
		if held, ok := s.locks[key]; ok && len(body) > 0 && lockID(body) != lockID(held) {
			w.WriteHeader(http.StatusConflict)
			_, _ = w.Write(held)
			return
		}
		delete(s.locks, key)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// lockID is the ID of a lock's JSON info, empty if it has none.
func lockID(info []byte) string {
	var lock struct{ ID string }
	_ = json.Unmarshal(info, &lock)
	return lock.ID
}
