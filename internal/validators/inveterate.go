package validators

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
)

// InveterateTopic validates a subscription topic: a malformed topic is an error, a well-formed one
// that Inveterate does not document only a warning, because Inveterate adds topics over time.
func InveterateTopic() validator.String { return inveterateTopicValidator{} }

type inveterateTopicValidator struct{}

func (inveterateTopicValidator) Description(context.Context) string {
	return fmt.Sprintf("must be a well-formed Inveterate topic (%s); a topic Inveterate does not document gets a warning", inveterate.TopicPattern)
}

// InveterateTopicRule is the rule of InveterateTopic that is an error, as the documentation states it.
const InveterateTopicRule = "well-formed: words of lowercase letters and underscores joined by dots"

// InveterateDocumentedTopics are the topics InveterateTopic accepts without a warning
// (inveterate.Topics), as the documentation lists them.
var InveterateDocumentedTopics = CodeList(inveterate.Topics)

func (inveterateTopicValidator) MarkdownDescription(context.Context) string {
	return InveterateTopicRule
}

func (inveterateTopicValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	topic := req.ConfigValue.ValueString()
	switch {
	case !inveterate.TopicPattern.MatchString(topic):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Inveterate Topic", fmt.Sprintf(
			"Attribute %s value %q is not a well-formed Inveterate topic: it must be words of lowercase letters and "+
				"underscores joined by dots, with at least one dot (the pattern %s), for example \"customer.updated\".",
			Describe(req.Path), topic, inveterate.TopicPattern))
	case !slices.Contains(inveterate.Topics, topic):
		resp.Diagnostics.AddAttributeWarning(req.Path, "Undocumented Inveterate Topic", fmt.Sprintf(
			"Attribute %s value %q is well-formed but is not one of the topics Inveterate documents:\n  %s\n\n"+
				"Inveterate adds topics over time, so this is not an error. If Inveterate does not know the topic, it "+
				"rejects the subscription when it is applied: check the spelling.",
			Describe(req.Path), topic, strings.Join(inveterate.Topics, "\n  ")))
	}
}
