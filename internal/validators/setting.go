package validators

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Provider arguments fall back to environment variables. An error about one has the same summary
// and attribute path whether the value came from the configuration (the schema's validators) or
// from the environment (the provider's Configure), so a user sees one error, not two spellings.

// settingWords spells the words of provider argument names as their summaries write them.
var settingWords = map[string]string{"url": "URL", "id": "ID", "api": "API", "blaze": "BLAZE", "http": "HTTP"}

// SettingSummary is the summary of every error about the provider argument at p:
// lune.base_url gives "Invalid Lune Base URL", max_retries "Invalid Max Retries".
func SettingSummary(p path.Path) string {
	var words []string
	for _, step := range p.Steps() {
		name, ok := step.(path.PathStepAttributeName)
		if !ok {
			continue
		}
		for _, w := range strings.Split(string(name), "_") {
			if spelled, ok := settingWords[w]; ok {
				w = spelled
			} else if w != "" {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			words = append(words, w)
		}
	}
	return "Invalid " + strings.Join(words, " ")
}

// SettingError reports that the value of the provider argument at p breaks its rule (err); env
// names the environment variable it came from, or is empty when it came from the configuration.
func SettingError(diags *diag.Diagnostics, p path.Path, env string, err error) {
	from := Describe(p)
	if env != "" {
		from += " (from environment variable " + env + ")"
	}
	diags.AddAttributeError(p, SettingSummary(p), fmt.Sprintf("%s: %s.", from, err))
}

// CheckWholeNumber parses a whole number from least to most.
func CheckWholeNumber(raw string, least, most int64) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number; %s", raw, wholeNumberRule(least, most))
	}
	return n, checkRange(n, least, most)
}

func checkRange(n, least, most int64) error {
	if n < least || n > most {
		return fmt.Errorf("%d is out of range; %s", n, wholeNumberRule(least, most))
	}
	return nil
}

func wholeNumberRule(least, most int64) string {
	return fmt.Sprintf("must be a whole number from %d to %d", least, most)
}

// WholeNumber validates a number attribute with the rule of CheckWholeNumber.
func WholeNumber(least, most int64) validator.Int64 { return wholeNumberValidator{least, most} }

type wholeNumberValidator struct{ least, most int64 }

func (v wholeNumberValidator) Description(context.Context) string {
	return wholeNumberRule(v.least, v.most)
}

func (v wholeNumberValidator) MarkdownDescription(context.Context) string {
	return WholeNumberRule(v.least, v.most)
}

// WholeNumberRule is the rule of WholeNumber, as the documentation states it.
func WholeNumberRule(least, most int64) string {
	return fmt.Sprintf("a whole number from %d to %d", least, most)
}

func (v wholeNumberValidator) ValidateInt64(_ context.Context, req validator.Int64Request, resp *validator.Int64Response) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkRange(req.ConfigValue.ValueInt64(), v.least, v.most); err != nil {
		SettingError(&resp.Diagnostics, req.Path, "", err)
	}
}
