package provider

import (
	"errors"
	"fmt"
	"net"
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
	case errors.Is(err, httpclient.ErrInterrupted):
		fmt.Fprintf(&b, "\n\nTerraform was interrupted (stopped, for example with Ctrl-C) before this request was settled: "+
			"it was not sent, or not sent again after the answer above. Run Terraform again to finish; its refresh shows what "+
			"%s holds now.", v.Name)
	case errors.Is(err, httpclient.ErrRedirect):
		fmt.Fprintf(&b, "\n\nThe provider never follows a redirect, so that no credential is sent anywhere but the base URL, and "+
			"%s's API does not redirect: check %s (or %s) for a wrong host or path, or http:// instead of https://, and any "+
			"proxy that answers in the API's place.", v.Name, v.Base.Name, v.Base.Env)
	case httpclient.IsTimeout(err):
		fmt.Fprintf(&b, "\n\n%s did not answer in time. One attempt may take request_timeout (or WEBHOOKS_REQUEST_TIMEOUT, "+
			"default %s), and a whole operation the resource's timeouts: raise the one that ran out, or try again later.", v.Name, shortDuration(defaultRequestTimeout))
		if errors.Is(err, httpclient.ErrOutcomeUnknown) {
			b.WriteString(" The request may or may not have been applied, and looking for its result did not settle it; nothing has been retried blindly.")
		}
	case errors.As(err, new(*httpclient.AmbiguousError)):
		fmt.Fprintf(&b, "\n\nOne of them is probably the webhook this create made, and the others somebody else's: nothing was "+
			"adopted, rotated or deleted. Import the right one into this resource (terraform import ADDRESS ID, or an import "+
			"block), and delete any duplicate at %s that nobody needs.", v.Name)
	case errors.Is(err, httpclient.ErrOutcomeUnknown):
		b.WriteString("\n\nThe request may or may not have been applied, and looking for its result did not settle it; nothing has been retried blindly.")
	case errors.Is(err, httpclient.ErrWrongBaseURL):
		fmt.Fprintf(&b, "\n\nThe base URL's path looks wrong. Check %s (or %s): it is the API's root, such as %s, without "+
			"a path of its own.", v.Base.Name, v.Base.Env, v.BaseDefault)
	case errors.Is(err, httpclient.ErrServer) && !answered(err):
		fmt.Fprintf(&b, "\n\n%s could not be reached, after every retry. Check %s (or %s), such as %s, and this machine's "+
			"network and proxy settings.", v.Name, v.Base.Name, v.Base.Env, v.BaseDefault)
	case errors.Is(err, httpclient.ErrServer) && answeredOK(err):
		fmt.Fprintf(&b, "\n\nThe answer was not %s's: check %s (or %s), such as %s; a base URL that names a web page or an "+
			"application instead of the API answers like this.", v.Name, v.Base.Name, v.Base.Env, v.BaseDefault)
	case errors.Is(err, httpclient.ErrServer):
		fmt.Fprintf(&b, "\n\n%s failed on its side; nothing in the configuration causes this. Run Terraform again later; "+
			"the refresh shows what %s holds.", v.Name, v.Name)
	}
	return b.String()
}

// answered reports whether the API (or something in its place) was reached: err carries an HTTP
// answer, or is not about the network at all (the clients' own findings about what they read).
func answered(err error) bool {
	var apiErr *httpclient.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 0 {
		return true
	}
	var netErr net.Error
	return apiErr.Attempts == 0 || !errors.As(apiErr.Cause, &netErr)
}

// answeredOK reports whether err's answer was a success that could not be used (an HTML page where
// the API's JSON belongs, for one).
func answeredOK(err error) bool {
	var apiErr *httpclient.APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode >= 200 && apiErr.StatusCode < 300
}

// unsettledCreate says, of a create whose outcome could not be settled, what it sent and where the
// object it may have made can be found: a plan cannot show an object that is not in state, so the
// user must find it and import it (or delete it) before applying again.
type unsettledCreate struct {
	// what names the object ("webhook"); typeName is the resource's type, which names its list
	// resource too; dataSource is the data source that lists such objects.
	what, typeName, dataSource string
	// sent are the arguments the create sent, as a configuration writes them.
	sent string
	// deleteInstead is set when an imported object would be of no use (an admin webhook, whose token
	// cannot be read again): the advice is to delete it.
	deleteInstead bool
}

// addCreateError adds the diagnostic of a failed create: as addAPIError, and for a create whose
// outcome could not be settled, what to do before applying again.
func addCreateError[C any](diags *diag.Diagnostics, v *Vendor[C], summary string, err error, u unsettledCreate) {
	if !errors.Is(err, httpclient.ErrOutcomeUnknown) || errors.As(err, new(*httpclient.AmbiguousError)) {
		addAPIError(diags, v, summary, err)
		return
	}
	detail := v.errorDetail(err)
	find := fmt.Sprintf("the %s data source, `terraform query` with the %s list resource (Terraform 1.14+), or %s's console",
		u.dataSource, u.typeName, v.Name)
	if u.deleteInstead {
		detail += fmt.Sprintf("\n\nThe %[1]s may exist at %[2]s with %[3]s. Find it (%[4]s) and delete it there before applying "+
			"again: its token cannot be read again, so an imported one would have none. Applying again without deleting it "+
			"leaves a second %[1]s that receives every event. If it does not exist, apply again.", u.what, v.Name, u.sent, find)
	} else {
		detail += fmt.Sprintf("\n\nThe %[1]s may exist at %[2]s with %[3]s. Find it (%[4]s) and import it into this resource "+
			"before applying again:\n\n  import {\n    to = %[5]s.<name>\n    id = \"<its id>\"\n  }\n\n"+
			"Applying again without importing it may create a second one. If it does not exist, apply again.",
			u.what, v.Name, u.sent, find, u.typeName)
	}
	diags.AddError(summary, detail)
}

// hclArguments writes name-value pairs as a configuration would ("url = \"https://…\""), leaving
// out empty values: what a create sent, for a message. A value is a string or a list of strings.
func hclArguments(pairs ...any) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		switch v := pairs[i+1].(type) {
		case string:
			if v != "" {
				parts = append(parts, fmt.Sprintf("%s = %q", pairs[i], v))
			}
		case []string:
			if len(v) > 0 {
				quoted := make([]string, len(v))
				for j, s := range v {
					quoted[j] = fmt.Sprintf("%q", s)
				}
				parts = append(parts, fmt.Sprintf("%s = [%s]", pairs[i], strings.Join(quoted, ", ")))
			}
		}
	}
	return strings.Join(parts, ", ")
}
