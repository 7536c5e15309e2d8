package provider

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/httpclient"
)

// addAPIError turns a client error into a diagnostic: summary is a short Title Case sentence
// ("Unable to Create Lune Webhook"); the detail says what the API answered and what to do.
func addAPIError[C any](diags *diag.Diagnostics, v *Vendor[C], summary string, err error) {
	diags.AddError(summary, apiErrorDetail(v.Name, v.Credentials, err))
}

func apiErrorDetail(vendor string, creds []argument, err error) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s.", strings.TrimSuffix(err.Error(), "."))
	switch {
	case errors.Is(err, httpclient.ErrUnauthorized):
		var names []string
		for _, a := range creds {
			names = append(names, fmt.Sprintf("%s (or %s)", a.Name, a.Env))
		}
		fmt.Fprintf(&b, "\n\n%s did not accept the credentials. Check %s: the key may be wrong, revoked, or not allowed to do this.", vendor, strings.Join(names, " and "))
	case errors.Is(err, httpclient.ErrValidation):
		fmt.Fprintf(&b, "\n\n%s rejected the request and changed nothing. Check the arguments named in its message.", vendor)
	case errors.Is(err, httpclient.ErrRateLimited):
		fmt.Fprintf(&b, "\n\n%s kept rate limiting the request. Try again later, lower Terraform's -parallelism, or raise max_retries.", vendor)
	case errors.Is(err, httpclient.ErrOutcomeUnknown):
		fmt.Fprintf(&b, "\n\nThe request may or may not have been applied, and looking for its result did not settle it. Run terraform plan to see the current state; nothing has been retried blindly.")
	case errors.Is(err, httpclient.ErrServer):
		fmt.Fprintf(&b, "\n\n%s failed on its side or could not be reached. Check the base URL and try again later.", vendor)
	}
	return b.String()
}
