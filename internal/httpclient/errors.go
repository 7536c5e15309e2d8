package httpclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
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
	// ErrRedirect means the server answered with a redirect, which the client never follows: the
	// APIs do not redirect, so a 3xx comes from a wrong base URL or a proxy, and following it would
	// send the credentials elsewhere. The API did not apply the request (whatever answered in its
	// place may have done something with it).
	ErrRedirect = errors.New("redirected")
	// ErrWrongBaseURL means an endpoint that always exists (a list, a create: Request.MustExist)
	// answered "not found": the base URL's path is wrong. Nothing was applied, and nothing is gone.
	ErrWrongBaseURL = errors.New("wrong base URL")
	// ErrInterrupted means the caller gave up (Terraform was interrupted) before the request was
	// settled: it was not sent, or not sent again after an answer that the error reports. A write
	// already sent is never interrupted: it is finished, and its answer reported.
	ErrInterrupted = errors.New("interrupted")
)

// redirectMessage says where a redirect pointed and what to check. Only the address is quoted:
// whatever a user part, a query or a fragment may carry is dropped, and a Location that is not a
// URL is not quoted at all.
func (c *Client) redirectMessage(base *url.URL, location string) string {
	if u, err := url.Parse(location); location == "" {
		location = "(no Location)"
	} else if err != nil {
		location = "a Location that is not a valid URL"
	} else {
		u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
		location = c.redactText(base.ResolveReference(u).String())
	}
	return fmt.Sprintf("the server answered with a redirect to %s, which the provider does not follow (credentials are "+
		"only ever sent to the base URL, %s://%s%s). The API does not redirect: check the base URL, and any proxy in between",
		location, base.Scheme, base.Host, base.Path)
}

// maxSummary bounds the part of a body that is not the vendor's JSON quoted in an error.
const maxSummary = 200

// summarize describes an error body that is not the vendor's JSON (an HTML page from a proxy or a
// CDN, plain text): its content type and its first line with text in it, bounded and redacted.
// Such a body can be megabytes of markup; only enough to recognize it belongs in a message.
func (c *Client) summarize(contentType string, body []byte) string {
	line := ""
	for _, l := range strings.Split(string(body), "\n") {
		l = strings.TrimSpace(tagPattern.ReplaceAllString(l, " "))
		l = strings.Join(strings.Fields(l), " ")
		if l != "" {
			line = l
			break
		}
	}
	if r := []rune(line); len(r) > maxSummary {
		line = string(r[:maxSummary]) + "…"
	}
	if contentType == "" {
		contentType = "no content type"
	}
	kind := "a body that is not JSON"
	if strings.Contains(contentType, "html") {
		kind = "an HTML page, not the API's JSON (a proxy or CDN may have answered)"
	}
	if line == "" {
		return fmt.Sprintf("%s (%s, %d bytes)", kind, contentType, len(body))
	}
	return fmt.Sprintf("%s (%s, %d bytes), beginning %q", kind, contentType, len(body), c.redactText(line))
}

// tagPattern matches an HTML tag, for summarize.
var tagPattern = regexp.MustCompile(`<[^>]*>`)

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
	fmt.Fprintf(&b, "%s API:", e.Vendor)
	if request := strings.TrimSpace(e.Method + " " + e.Path); request != "" { // an error of no one request has neither
		b.WriteString(" " + request)
	}
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
	if e.StatusCode != 0 && e.Cause != nil {
		// An answer that came but could not be used (unreadable, too large), or an interrupt after it.
		fmt.Fprintf(&b, ": %v", e.Cause)
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

// wrongBaseURL is the message of a "not found" from an endpoint that always exists: the base URL's
// path is wrong. apiPath is what the client puts after the base URL ("/v1").
func (c *Client) wrongBaseURL() string {
	base := *c.base
	base.User, base.RawQuery, base.Fragment = nil, "", ""
	msg := fmt.Sprintf("the API always has this endpoint, so \"not found\" means the base URL (%s) is wrong: it must be the "+
		"API's root", c.redactText(base.String()))
	if base.Path != "" {
		msg += fmt.Sprintf(", without the path %s", base.Path)
	}
	if c.cfg.APIPath != "" {
		msg += fmt.Sprintf(" (the provider adds %s and the rest)", c.cfg.APIPath)
	}
	return msg
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
