// Package blaze is a client for the BLAZE Partner API's webhook endpoints
// (https://apidocs.blaze.me/api-reference/webhooks). It knows nothing of Terraform.
package blaze

import (
	"encoding/json"
	"net/http"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// DefaultBaseURL is BLAZE's partner API host.
const DefaultBaseURL = "https://api.partners.blaze.me"

// Config holds what a BLAZE client needs.
type Config struct {
	httpclient.Settings
	// PartnerKey is sent as x-api-key.
	PartnerKey string
	// DeveloperKey is sent as Authorization, raw (BLAZE takes no "Bearer" prefix). It is tied to
	// one company and shop.
	DeveloperKey string
	// PageSize is how many webhooks one list page asks for (0: 100, BLAZE's default).
	PageSize int
	// OnWrite, when set, is called after every request of this client that may change data,
	// whatever its outcome: its owner drops what it cached from reads.
	OnWrite func()
}

// Client talks to BLAZE's partner webhook endpoints. It is safe for concurrent use.
type Client struct {
	http     *httpclient.Client
	pageSize int
	onWrite  func()
}

// New returns a client for cfg. An empty BaseURL means DefaultBaseURL.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 100
	}
	header := http.Header{}
	header.Set("x-api-key", cfg.PartnerKey)
	header.Set("Authorization", cfg.DeveloperKey)
	hc, err := httpclient.New(httpclient.Config{
		Settings:    cfg.Settings,
		Vendor:      "BLAZE",
		APIPath:     "/api/v1",
		Subsystem:   "blaze",
		Header:      header,
		DecodeError: decodeError,
		Redact: httpclient.Redaction{
			Headers: []string{"Authorization", "x-api-key"},
			Values:  []string{cfg.PartnerKey, cfg.DeveloperKey},
		},
	})
	if err != nil {
		return nil, err
	}
	return &Client{http: hc, onWrite: cfg.OnWrite, pageSize: cfg.PageSize}, nil
}

// errorBody is BLAZE's error shape: {"error":"Unauthorized","message":"Invalid partner key","status":401}.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func decodeError(_ int, body []byte) httpclient.ErrorInfo {
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		return httpclient.ErrorInfo{}
	}
	return httpclient.ErrorInfo{Code: eb.Error, Message: eb.Message}
}

// wrote tells the owner (Config.OnWrite) that a write was made.
func (c *Client) wrote() {
	if c.onWrite != nil {
		c.onWrite()
	}
}
