package validators

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
)

// LuneURLRule is Lune's URL pattern (lune.URLPattern) in words, part by part: a test holds its
// lengths and characters to the pattern's.
const LuneURLRule = "`https://`; then 2 to 256 ASCII letters, digits or `-@:%._+~#=`; then a dot and a top-level domain of " +
	"2 to 6 lowercase letters, which no letter, digit or `_` follows; then any number of ASCII letters, digits or " +
	"`-@:%_+.~#?&/=`. No other character is allowed (no space, `,`, `;`, `(` or non-ASCII letter), and the host needs " +
	"a top-level domain of lowercase letters (not an IP address, not `localhost`)"

// LuneURL checks a webhook URL against the pattern Lune's API enforces, so that what Lune would
// reject at apply fails the plan instead.
func LuneURL() validator.String {
	return StringRule(LuneURLRule, stringvalidator.RegexMatches(lune.URLPattern,
		"must be an https:// URL with a domain name and a top-level domain of 2 to 6 lowercase letters, without spaces (Lune's URL rule)"))
}

// AccountIDsRule is the rule of AccountIDs, as the documentation states it.
const AccountIDsRule = "at least one account id, and none empty"

// AccountIDs checks a Lune account filter: Lune rejects an empty list and empty ids.
func AccountIDs() validator.Set {
	return SetRule(AccountIDsRule,
		setvalidator.SizeAtLeast(1),
		setvalidator.ValueStringsAre(NotEmpty()),
	)
}

// AccountIDListRule is the rule of AccountIDList, as the documentation states it.
const AccountIDListRule = AccountIDsRule + ", none twice"

// AccountIDList checks the Lune account filter of the list resource, whose configuration schema
// has no sets (terraform-plugin-framework v1.19): the same rule as AccountIDs, and no id twice.
func AccountIDList() validator.List {
	return ListRule(AccountIDListRule,
		listvalidator.SizeAtLeast(1),
		listvalidator.ValueStringsAre(NotEmpty()),
		listvalidator.UniqueValues(),
	)
}

// NotEmptyRule is the rule of NotEmpty, as the documentation states it.
const NotEmptyRule = "not empty"

// NotEmpty rejects an empty string.
func NotEmpty() validator.String {
	return StringRule(NotEmptyRule, stringvalidator.LengthAtLeast(1))
}
