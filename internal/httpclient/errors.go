package httpclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// Sentinel errors classify every failure a vendor API can produce. Callers branch on them with
// errors.Is and never look at HTTP status codes.
var (
	// ErrNotFound means the object does not exist (or no longer exists).
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized means the credentials were missing, invalid or not allowed to do this.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrValidation means the API rejected the request as invalid; nothing was changed.
	ErrValidation = errors.New("rejected as invalid")
	// ErrRateLimited means the API kept answering 429 until the retries ran out.
	ErrRateLimited = errors.New("rate limited")
	// ErrServer means the API failed on its side (5xx, or an answer that could not be read).
	ErrServer = errors.New("server error")
	// ErrOutcomeUnknown means a non-idempotent request may or may not have been applied: the
	// connection broke or timed out after the request was sent, or the server answered with an
	// error that allows partial application. The caller must look for the object before trying
	// again.
	ErrOutcomeUnknown = errors.New("outcome unknown")
	// ErrConnection means the connection cannot be made as configured, and no retry can fix it:
	// a TLS certificate that is not trusted, has expired or names another host, or a host name that
	// does not resolve. The request was not sent, and was not retried.
	ErrConnection = errors.New("cannot connect as configured")
)

// APIError is the error returned for every failed request. It wraps one of the sentinel errors
// above and carries what the API answered, for diagnostics.
type APIError struct {
	// Kind is one of the sentinel errors of this package.
	Kind error
	// Vendor is the API's display name.
	Vendor string
	// Method and Path identify the request (the path never carries credentials).
	Method string
	Path   string
	// StatusCode is the last HTTP status received, 0 when no response arrived.
	StatusCode int
	// Code is the vendor's machine-readable error code, when it sends one.
	Code string
	// Message is the vendor's human-readable message, when it sends one.
	Message string
	// Attempts is how many times the request was sent.
	Attempts int
	// Cause is the transport error, when there was no response.
	Cause error
}

// Error describes the failure in one line: what was asked, what came back, how often it was tried.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s API: %s %s", e.Vendor, e.Method, e.Path)
	switch {
	case errors.Is(e.Kind, ErrConnection) && e.Message != "":
		fmt.Fprintf(&b, ": %s", e.Message)
		return b.String()
	case e.StatusCode != 0:
		fmt.Fprintf(&b, " answered HTTP %d", e.StatusCode)
	case e.Cause != nil:
		fmt.Fprintf(&b, " failed: %v", e.Cause)
	default:
		fmt.Fprintf(&b, " failed: %v", e.Kind)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " [after %d attempts]", e.Attempts)
	}
	return b.String()
}

// Unwrap exposes both the classification and the transport cause to errors.Is and errors.As.
func (e *APIError) Unwrap() []error {
	errs := []error{e.Kind}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}

// KindForStatus is the default classification of an HTTP error status. Vendors refine it through
// their ErrorDecoder (an API may report a bad key, or a missing object, as 400).
func KindForStatus(status int) error {
	switch {
	case status == 404 || status == 410:
		return ErrNotFound
	case status == 401 || status == 403:
		return ErrUnauthorized
	case status == 429:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	default:
		return ErrValidation
	}
}

// ListError is the error of a list request. A list endpoint always exists, so "not found" from
// it never means that objects are gone: it means the base URL or path is wrong. It is reported as
// a server error, so that no caller concludes anything was deleted. apiPath is the path the vendor
// puts before its endpoints ("/v1"), which a base URL must not repeat.
func ListError(err error, apiPath string) error {
	var apiErr *APIError
	if !IsNotFound(err) || !errors.As(err, &apiErr) {
		return err
	}
	e := *apiErr
	e.Kind = ErrServer
	e.Message = strings.TrimSpace(e.Message + " (the list endpoint answered \"not found\": check the base URL, which must not include the API's path " + apiPath + ")")
	return &e
}

// IsNotFound reports whether err means the object does not exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsForbidden reports whether the API refused the request with 403: the credentials are valid but
// may not do this (a key acting on an account it has no access to, for example).
func IsForbidden(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusForbidden
}

// IsTimeout reports whether a request failed because it ran out of time: an attempt's timeout,
// or the deadline of the caller's context.
func IsTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
}
