package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// addAPIError turns a client error into a diagnostic: summary is a short Title Case sentence
// ("Unable to Create Lune Webhook"); the detail says what the API answered and what to do, naming
// the setting that fixes it. A request that stayed rate limited says so in the summary too.
func addAPIError[C any](diags *diag.Diagnostics, v *Vendor[C], summary string, err error) {
	if errors.Is(err, httpclient.ErrRateLimited) && !strings.Contains(strings.ToLower(summary), "rate limit") {
		summary += " (Rate Limited)"
	}
	diags.AddError(summary, v.errorDetail(err))
}

// errorDetail is what the API answered, then what to do about it.
func (v *Vendor[C]) errorDetail(err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s.", strings.TrimSuffix(err.Error(), "."))
	switch {
	case errors.Is(err, httpclient.ErrUnauthorized):
		var names []string
		for _, a := range v.Credentials {
			names = append(names, fmt.Sprintf("%s (or %s)", a.Name, a.Env))
		}
		fmt.Fprintf(&b, "\n\n%s did not accept the credentials. Check %s: the key may be wrong, revoked, or not allowed to do this.", v.Name, strings.Join(names, " and "))
		if v.Account != nil && httpclient.IsForbidden(err) {
			fmt.Fprintf(&b, " The request acted on another account of the organisation, set by %s (or %s): check that the key may act on that account, or unset it to use the key's own.", v.Account.Name, v.Account.Env)
		}
	case errors.Is(err, httpclient.ErrValidation):
		fmt.Fprintf(&b, "\n\n%s rejected the request and changed nothing. Check the arguments named in its message.", v.Name)
	case errors.Is(err, httpclient.ErrRateLimited):
		fmt.Fprintf(&b, "\n\n%s kept rate limiting the request after every retry. Lower the pace the provider keeps with %s (or %s), "+
			"lower Terraform's -parallelism, or raise max_retries (or WEBHOOKS_MAX_RETRIES); then run Terraform again.", v.Name, v.Pace.Name, v.Pace.Env)
	case errors.Is(err, httpclient.ErrConnection):
		fmt.Fprintf(&b, "\n\nNo retry can fix this, so the provider did not retry, and nothing was sent to %s. Check %s (or %s) "+
			"and this machine's trust store and DNS; see \"Certificates and proxies\" on the provider's page.", v.Name, v.Base.Name, v.Base.Env)
	case httpclient.IsTimeout(err):
		fmt.Fprintf(&b, "\n\n%s did not answer in time. One attempt may take request_timeout (or WEBHOOKS_REQUEST_TIMEOUT, "+
			"default %s), and a whole operation the resource's timeouts: raise the one that ran out, or try again later.", v.Name, shortDuration(defaultRequestTimeout))
		if errors.Is(err, httpclient.ErrOutcomeUnknown) {
			b.WriteString(" The request may or may not have been applied; run terraform plan to see the current state. Nothing has been retried blindly.")
		}
	case errors.As(err, new(*httpclient.AmbiguousError)):
		fmt.Fprintf(&b, "\n\nOne of them is probably the webhook this create made, and the others somebody else's: nothing was "+
			"adopted, rotated or deleted. Import the right one into this resource (terraform import ADDRESS ID, or an import "+
			"block), and delete any duplicate at %s that nobody needs.", v.Name)
	case errors.Is(err, httpclient.ErrOutcomeUnknown):
		fmt.Fprintf(&b, "\n\nThe request may or may not have been applied, and looking for its result did not settle it. Run terraform plan to see the current state; nothing has been retried blindly.")
	case errors.Is(err, httpclient.ErrServer):
		fmt.Fprintf(&b, "\n\n%s failed on its side or could not be reached. Check the base URL and try again later.", v.Name)
	}
	return b.String()
}
