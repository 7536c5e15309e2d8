// Package lune is a client for Lune's webhook API (https://docs.lune.co/api-reference/webhooks).
// It knows nothing of Terraform.
package lune

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

const (
	// DefaultBaseURL is Lune's production API; the API key decides live or test mode.
	DefaultBaseURL = "https://api.lune.co"
	// APIVersion is sent as Lune-Version on every request.
	APIVersion = "2024-08-08"
	// RateLimit is Lune's documented limit, in requests per second per key, and the client's
	// default: it keeps to it as Lune counts it, at most RateLimit requests in any second (see
	// httpclient.Config.RateWindow), so alone on a key it never provokes a 429 and never waits
	// more than it must. Runs that share a key share the limit: on one machine exactly, through
	// the machine's ledger (httpclient.Config.RateShare); across machines by learning of each
	// other from 429s (httpclient's sharing rule).
	RateLimit = 15
	// reservedAtStart is the least of a new client's first second left to the process that used the
	// key just before (in a terraform apply, the plan's one list: its access check, which its
	// refreshes share) when the machine's ledger cannot say what it used. The pacer then leaves at
	// least half of the first second anyway.
	reservedAtStart = 1
)

// secretPattern matches a webhook signing secret anywhere in a log line.
var secretPattern = regexp.MustCompile(`whsec_[A-Za-z0-9]+`)

// Config holds what a Lune client needs.
type Config struct {
	httpclient.Settings
	// APIKey is sent as a Bearer token.
	APIKey string
	// AccountID, when set, is sent as Lune-Account to act on another account of the organisation.
	AccountID string
	// OnWrite, when set, is called after every request of this client that may change data,
	// whatever its outcome: its owner drops what it cached from reads.
	OnWrite func()
}

// Client talks to Lune's webhook endpoints. It is safe for concurrent use.
type Client struct {
	http    *httpclient.Client
	onWrite func()
}

// New returns a client for cfg. An empty BaseURL means DefaultBaseURL and a zero RateLimit means
// RateLimit, counted per second as Lune counts it.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = RateLimit
	}
	header := http.Header{}
	header.Set("Authorization", "Bearer "+cfg.APIKey)
	header.Set("Lune-Version", APIVersion)
	if cfg.AccountID != "" {
		header.Set("Lune-Account", cfg.AccountID)
	}
	hc, err := httpclient.New(httpclient.Config{
		Settings:  cfg.Settings,
		Vendor:    "Lune",
		APIPath:   "/v1",
		Subsystem: "lune",
		Header:    header,
		// Lune counts requests per key in each second.
		RateWindow:   time.Second,
		RateReserved: reservedAtStart,
		// Lune counts per key; a key is one at one base URL (the sandbox's keys are not production's),
		// which httpclient adds to the share.
		RateShare: cfg.APIKey, RateShareLimit: RateLimit,
		DecodeError: decodeError,
		Redact: httpclient.Redaction{
			Headers:    []string{"Authorization"},
			Values:     []string{cfg.APIKey},
			JSONFields: []string{"secret"},
			Patterns:   []*regexp.Regexp{secretPattern},
		},
	})
	if err != nil {
		return nil, err
	}
	return &Client{http: hc, onWrite: cfg.OnWrite}, nil
}

// errorBody is Lune's error shape: {"error":{"error_code","message"},"errors":[...]}.
type errorBody struct {
	Error struct {
		Code    string `json:"error_code"`
		Message string `json:"message"`
	} `json:"error"`
	Errors []struct {
		Code    string `json:"error_code"`
		Message string `json:"message"`
	} `json:"errors"`
}

func decodeError(_ int, body []byte) httpclient.ErrorInfo {
	var eb errorBody
	if len(body) == 0 || json.Unmarshal(body, &eb) != nil {
		return httpclient.ErrorInfo{}
	}
	code, msg := eb.Error.Code, eb.Error.Message
	if code == "" && msg == "" && len(eb.Errors) > 0 {
		code, msg = eb.Errors[0].Code, eb.Errors[0].Message
	}
	var more []string
	for _, e := range eb.Errors {
		if e.Message != "" && e.Message != msg {
			more = append(more, e.Message)
		}
	}
	if len(more) > 0 {
		msg = strings.Join(append([]string{msg}, more...), "; ")
	}
	info := httpclient.ErrorInfo{Code: code, Message: msg}
	switch code {
	case "unauthorised", "unauthorized":
		info.Kind = httpclient.ErrUnauthorized
	case "id_invalid":
		info.Kind = httpclient.ErrNotFound
	}
	return info
}

// wrote tells the owner (Config.OnWrite) that a write was made.
func (c *Client) wrote() {
	if c.onWrite != nil {
		c.onWrite()
	}
}
