package provider

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestSharedListServesConcurrentReadsFromOneCall(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	s := newListCache(context.Background(), func(context.Context) ([]int, error) {
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
	s := newListCache(context.Background(), func(context.Context) ([]int32, error) {
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
	afterWrite, _ := s.getCall(ctx)
	if afterWrite.items[0] != 2 {
		t.Fatalf("after a write the list was not taken again: %v", afterWrite.items)
	}
	freshCall, _ := s.freshAfter(ctx, afterWrite.seq)
	fresh := freshCall.items
	second, _ := s.freshAfter(ctx, afterWrite.seq)
	cached, _ := s.get(ctx)
	// Reads keep the version's first list; confirmations of its misses share the fresh one.
	if fresh[0] != 3 || second.items[0] != 3 || cached[0] != 2 {
		t.Fatalf("fresh = %v, second = %v, the next read = %v; want 3, 3, 2", fresh, second.items, cached)
	}
}

func TestSharedListKeepsAFailureUntilTheNextWrite(t *testing.T) {
	var calls atomic.Int32
	s := newListCache(context.Background(), func(context.Context) ([]int, error) {
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
	s := newListCache(context.Background(), func(ctx context.Context) ([]int, error) {
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

// TestSharedListAbandonedCallIsCancelled: when the last read waiting for a list stops waiting, the
// call is cancelled (nobody needs it), and the next read takes a new one.
func TestSharedListAbandonedCallIsCancelled(t *testing.T) {
	var calls atomic.Int32
	stopped := make(chan error, 1)
	s := newListCache(context.Background(), func(ctx context.Context) ([]int, error) {
		if calls.Add(1) == 1 {
			<-ctx.Done()
			stopped <- ctx.Err()
			return nil, ctx.Err()
		}
		return []int{2}, nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := s.get(ctx); errc <- err }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("the reader got %v", err)
	}
	select {
	case err := <-stopped:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("the call stopped with %v, want cancelled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the abandoned call is still running")
	}
	items, err := s.get(context.Background())
	if err != nil || len(items) != 1 || calls.Load() != 2 {
		t.Fatalf("the next read got %v, %v after %d calls; want a new list", items, err, calls.Load())
	}
}

// TestSharedListCallHasADeadline: a list call has a deadline of its own, whatever the reads'.
func TestSharedListCallHasADeadline(t *testing.T) {
	s := newListCache(context.Background(), func(ctx context.Context) ([]int, error) {
		deadline, ok := ctx.Deadline()
		if !ok || time.Until(deadline) > listTimeout {
			t.Errorf("deadline %v (set: %v), want within %v", deadline, ok, listTimeout)
		}
		return nil, nil
	})
	if _, err := s.get(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestSharedListConfirmationsShareOneCall: twenty reads that missed in the same list, confirming at
// the same time or one after the other, share one newer list.
func TestSharedListConfirmationsShareOneCall(t *testing.T) {
	var calls atomic.Int32
	s := newListCache(context.Background(), func(context.Context) ([]int32, error) {
		return []int32{calls.Add(1)}, nil
	})
	ctx := context.Background()
	first, err := s.getCall(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if c, err := s.freshAfter(ctx, first.seq); err != nil || c.items[0] != 2 {
				t.Errorf("confirmation got %v, %v", c, err)
			}
		}()
	}
	wg.Wait()
	for range 10 {
		read, _ := s.getCall(ctx)
		if c, err := s.freshAfter(ctx, read.seq); err != nil || c.items[0] != 2 {
			t.Errorf("a later confirmation got %v, %v", c, err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d list calls, want 2: the list that missed and one that confirms", n)
	}
}

// TestSharedListLogsCarryNoResourceFields: the list call logs with the operation's logger, not
// with the fields of the resource whose read started it.
func TestSharedListLogsCarryNoResourceFields(t *testing.T) {
	var out bytes.Buffer
	operation := tflogtest.RootLogger(context.Background(), &out)
	s := newListCache(operation, func(ctx context.Context) ([]int, error) {
		tflog.Debug(ctx, "listing")
		return nil, nil
	})
	read := tflog.SetField(operation, "tf_resource_type", "webhooks_webhook")
	read = tflog.SetField(read, "id", "wh_1")
	if _, err := s.get(read); err != nil {
		t.Fatal(err)
	}
	entries, err := tflogtest.MultilineJSONDecode(&out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0]["@message"] != "listing" {
		t.Fatalf("log entries %v, want the list call's", entries)
	}
	for _, field := range []string{"tf_resource_type", "id"} {
		if _, ok := entries[0][field]; ok {
			t.Errorf("the list call's log carries the reading resource's %s: %v", field, entries[0])
		}
	}
}

// TestListCache_pickAndJoinAreOneStep: a read that has picked the call in flight is one of its
// waiters at once. The last other waiter leaving must not abandon (and cancel) the call under it:
// picking and joining used to be two steps, and a read caught between them failed with "context
// canceled" although it never gave up.
func TestListCache_pickAndJoinAreOneStep(t *testing.T) {
	release := make(chan struct{})
	l := newListCache(context.Background(), func(ctx context.Context) ([]string, error) {
		select {
		case <-release:
			return []string{"a"}, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	leaving, leave := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := l.get(leaving); first <- err }()
	// The second read picks the call the first one waits for, and has not started waiting yet.
	var picked *listCall[string]
	for picked == nil {
		l.mu.Lock()
		if l.first != nil {
			l.mu.Unlock()
			picked = l.call(0, false)
			break
		}
		l.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	leave()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("the read that left got %v, want its own cancellation", err)
	}
	close(release)
	call, err := l.wait(context.Background(), picked)
	if err != nil || len(call.items) != 1 {
		t.Fatalf("the read that stayed got %v: the call was abandoned under it", err)
	}
}
