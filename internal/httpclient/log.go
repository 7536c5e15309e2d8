package httpclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const masked = "***"

// logContext opens the vendor's log subsystem with its masks: every literal credential and
// every secret pattern is masked in messages and fields, as a second safeguard behind the
// structural redaction of headers and bodies below.
func (c *Client) logContext(ctx context.Context) context.Context {
	sub := c.cfg.Subsystem
	ctx = tflog.NewSubsystem(ctx, sub)
	var values []string
	for _, v := range c.cfg.Redact.Values {
		if v != "" {
			values = append(values, v)
		}
	}
	if len(values) > 0 {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, sub, values...)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, sub, values...)
	}
	if len(c.cfg.Redact.Patterns) > 0 {
		ctx = tflog.SubsystemMaskAllFieldValuesRegexes(ctx, sub, c.cfg.Redact.Patterns...)
		ctx = tflog.SubsystemMaskMessageRegexes(ctx, sub, c.cfg.Redact.Patterns...)
	}
	return ctx
}

func (c *Client) logRequest(ctx context.Context, req *http.Request, attempt int) {
	sub := c.cfg.Subsystem
	tflog.SubsystemDebug(ctx, sub, "Sending HTTP request", map[string]any{
		"http.method":  req.Method,
		"http.url":     req.URL.Redacted(),
		"http.attempt": attempt,
	})
	// TRACE is usually off: the body is read again (GetBody) and redacted only if the line is
	// written. Without a body the field stays a plain string, logged as before.
	var body any = ""
	if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		body = c.lazyBody(func() []byte {
			rc, err := req.GetBody()
			if err != nil {
				return nil
			}
			b, _ := io.ReadAll(rc)
			_ = rc.Close()
			return b
		})
	}
	tflog.SubsystemTrace(ctx, sub, "HTTP request detail", map[string]any{
		"http.method":          req.Method,
		"http.url":             req.URL.Redacted(),
		"http.request.headers": c.lazyHeaders(req.Header),
		"http.request.body":    body,
	})
}

// logResponse logs an attempt's end: the response with its body data (already read whole), or the
// error.
func (c *Client) logResponse(ctx context.Context, req *http.Request, resp *http.Response, data []byte, err error, took time.Duration) {
	sub := c.cfg.Subsystem
	fields := map[string]any{
		"http.method":      req.Method,
		"http.url":         req.URL.Redacted(),
		"http.duration_ms": took.Milliseconds(),
	}
	if resp == nil {
		fields["error"] = err.Error()
		tflog.SubsystemDebug(ctx, sub, "HTTP request failed", fields)
		return
	}
	fields["http.status"] = resp.StatusCode
	tflog.SubsystemDebug(ctx, sub, "Received HTTP response", fields)

	if err != nil {
		fields["error"] = err.Error()
	}
	// Only the body's redaction waits until the TRACE line is written: with TRACE off, the body is
	// parsed once, by the caller.
	fields["http.response.headers"] = c.lazyHeaders(resp.Header)
	if len(data) == 0 {
		fields["http.response.body"] = "" // a plain string, logged as before
	} else {
		fields["http.response.body"] = c.lazyBody(func() []byte { return data })
	}
	tflog.SubsystemTrace(ctx, sub, "HTTP response detail", fields)
}

// lazyValue is a log field computed once, when the line is written: hclog checks the level before
// it formats a value, with String in text logs and MarshalJSON in JSON logs. tflog's masks only
// reach string values, so whatever a lazyValue yields must already be fully masked.
type lazyValue[T any] func() T

func lazy[T any](f func() T) lazyValue[T] { return sync.OnceValue(f) }

func (l lazyValue[T]) String() string { return fmt.Sprint(l()) }

// MarshalJSON leaves HTML unescaped: the logger's encoder escapes the result or not, as it is
// configured to, exactly as it would the value itself.
func (l lazyValue[T]) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l()); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func (c *Client) lazyHeaders(h http.Header) lazyValue[map[string]string] {
	return lazy(func() map[string]string { return c.redactHeaders(h) })
}

// lazyBody redacts a body as redactBody does, then applies the subsystem's field masks the way
// tflog applies them to a string field (see logContext), so that a lazy body is masked no less
// than the string it replaces.
func (c *Client) lazyBody(read func() []byte) lazyValue[string] {
	return lazy(func() string {
		text := c.redactBody(read())
		for _, p := range c.cfg.Redact.Patterns {
			text = p.ReplaceAllString(text, masked)
		}
		for _, v := range c.cfg.Redact.Values {
			if v != "" {
				text = strings.ReplaceAll(text, v, masked)
			}
		}
		return text
	})
}

// redactHeaders returns a loggable copy of h. tflog's masks do not reach inside a map field, so
// literal credentials and secret patterns are masked here too, in every header value; header
// names are compared case-insensitively (a configured Header may hold non-canonical keys).
func (c *Client) redactHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if c.sensitiveHeader(k) {
			out[k] = masked
			continue
		}
		out[k] = c.redactText(strings.Join(v, ", "))
	}
	return out
}

func (c *Client) sensitiveHeader(k string) bool {
	for _, h := range c.cfg.Redact.Headers {
		if strings.EqualFold(h, k) {
			return true
		}
	}
	return false
}

// redactBody returns a loggable copy of a body: JSON with every sensitive field masked and every
// string and key redacted before it is encoded again (so that no escape, such as \u003c, can keep
// a credential from being found), and any remaining secret pattern or credential replaced.
func (c *Client) redactBody(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	text := string(body)
	var doc any
	if json.Unmarshal(body, &doc) == nil {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(c.redactJSON(doc)); err == nil {
			text = strings.TrimSuffix(b.String(), "\n")
		}
	}
	return c.redactText(text)
}

// redactText replaces every secret pattern and literal credential in text.
func (c *Client) redactText(text string) string {
	for _, p := range c.cfg.Redact.Patterns {
		text = p.ReplaceAllString(text, masked)
	}
	// Until none is left: a credential that ends like the mask could be put together again from
	// the mask and what follows it. Each pass shortens the text (credentials are longer than the
	// mask), so this ends.
	for _, v := range c.cfg.Redact.Values {
		if v != "" && len(v) <= len(masked) {
			text = strings.ReplaceAll(text, v, masked)
		}
	}
	for again := true; again; {
		again = false
		for _, v := range c.cfg.Redact.Values {
			if len(v) > len(masked) && strings.Contains(text, v) {
				text, again = strings.ReplaceAll(text, v, masked), true
			}
		}
	}
	return text
}

func (c *Client) redactJSON(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			switch {
			case c.sensitiveField(k) && val != nil:
				out[c.redactText(k)] = masked
			case c.sensitiveField(k):
				out[c.redactText(k)] = nil
			default:
				out[c.redactText(k)] = c.redactJSON(val)
			}
		}
		return out
	case []any:
		for i := range t {
			t[i] = c.redactJSON(t[i])
		}
	case string:
		return c.redactText(t)
	}
	return v
}

func (c *Client) sensitiveField(k string) bool {
	for _, f := range c.cfg.Redact.JSONFields {
		if strings.EqualFold(f, k) {
			return true
		}
	}
	return false
}

// logState records that a request entered a state of its life (write.go), at TRACE.
func (c *Client) logState(ctx context.Context, req Request, p phase, attempts int) {
	tflog.SubsystemTrace(ctx, c.cfg.Subsystem, "HTTP request state", map[string]any{
		"http.method": req.Method, "http.path": req.Path, "http.state": p.String(), "http.attempts": attempts,
	})
}
