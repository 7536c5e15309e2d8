package validators

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
)

// BlazeWebhookTypeRule is the rule of BlazeWebhookType, as the documentation states it.
var BlazeWebhookTypeRule = "one of " + CodeList(blaze.WebhookTypes)

// BlazeWebhookType checks a web_hook_type against the types BLAZE documents.
func BlazeWebhookType() validator.String {
	return StringRule(BlazeWebhookTypeRule, stringvalidator.OneOf(blaze.WebhookTypes...))
}

// BlazeShopIDRule is the rule of BlazeShopID, as the documentation states it.
const BlazeShopIDRule = "a BLAZE shop id: 24 lowercase hexadecimal characters"

// BlazeShopID checks the shape of a BLAZE shop id. An empty string would mean "the key's shop" to
// BLAZE and then differ from the shop id it stores, forever.
func BlazeShopID() validator.String {
	return StringRule(BlazeShopIDRule, stringvalidator.RegexMatches(blaze.IDPattern, "must be "+BlazeShopIDRule))
}

// WebhookURLsRule is the rule of WebhookURLs, as the documentation states it.
const WebhookURLsRule = "at least one, each an absolute `http://` or `https://` URL"

// WebhookURLs checks a set of delivery URLs (BLAZE's web_hook_urls): BLAZE needs at least one,
// and only an absolute http(s) URL can receive its posts.
func WebhookURLs() validator.Set {
	return SetRule(WebhookURLsRule,
		setvalidator.SizeAtLeast(1),
		setvalidator.ValueStringsAre(HTTPURL()),
	)
}
