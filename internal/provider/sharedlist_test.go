package provider

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestSharedListServesConcurrentReadsFromOneCall(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	s := newSharedList(func(context.Context) ([]int, error) {
		calls.Add(1)
		<-release
		return []int{1, 2, 3}, nil
	})
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			items, err := s.get(context.Background())
			if err != nil || len(items) != 3 {
				t.Errorf("get = %v, %v", items, err)
			}
		}()
	}
	time.Sleep(20 * time.Millisecond) // let the readers pile up behind the first call
	close(release)
	wg.Wait()
	if _, err := s.get(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d list calls for 21 reads, want 1", n)
	}
}

func TestSharedListInvalidateAndFresh(t *testing.T) {
	var calls atomic.Int32
	s := newSharedList(func(context.Context) ([]int32, error) {
		n := calls.Add(1)
		return []int32{n}, nil
	})
	ctx := context.Background()
	first, _ := s.get(ctx)
	again, _ := s.get(ctx)
	if first[0] != 1 || again[0] != 1 {
		t.Fatalf("a second read took a new list: %v %v", first, again)
	}
	s.invalidate()
	afterWrite, _ := s.get(ctx)
	if afterWrite[0] != 2 {
		t.Fatalf("after a write the list was not taken again: %v", afterWrite)
	}
	fresh, _ := s.fresh(ctx)
	cached, _ := s.get(ctx)
	if fresh[0] != 3 || cached[0] != 3 {
		t.Fatalf("fresh = %v and the next read = %v, want the fresh list for both", fresh, cached)
	}
}

func TestSharedListKeepsAFailureUntilTheNextWrite(t *testing.T) {
	var calls atomic.Int32
	s := newSharedList(func(context.Context) ([]int, error) {
		if calls.Add(1) == 1 {
			return nil, errors.New("boom")
		}
		return []int{7}, nil
	})
	if _, err := s.get(context.Background()); err == nil {
		t.Fatal("the failure was not returned")
	}
	// A vendor that is down is not asked again by every resource of the refresh.
	if _, err := s.get(context.Background()); err == nil || calls.Load() != 1 {
		t.Fatalf("the second read got %v after %d list calls; want the same failure without a new call", err, calls.Load())
	}
	s.invalidate()
	items, err := s.get(context.Background())
	if err != nil || len(items) != 1 {
		t.Fatalf("after a write the next read got %v, %v; want a new list", items, err)
	}
}

func TestSharedListCancelledReaderDoesNotFailOthers(t *testing.T) {
	release := make(chan struct{})
	s := newSharedList(func(ctx context.Context) ([]int, error) {
		select {
		case <-release:
			return []int{1}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := s.get(ctx); errc <- err }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled reader got %v", err)
	}
	close(release)
	items, err := s.get(context.Background())
	if err != nil || len(items) != 1 {
		t.Fatalf("the other reader got %v, %v", items, err)
	}
}
