package validators

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// CheckPositiveDuration parses a Go duration ("30s", "2m") that must be greater than zero.
func CheckPositiveDuration(raw string) (time.Duration, error) {
	d, err := time.ParseDuration(raw)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as \"30s\" or \"2m\"", raw)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be greater than zero", raw)
	}
	return d, nil
}

// PositiveDuration validates a duration string with CheckPositiveDuration.
func PositiveDuration() validator.String { return durationValidator{} }

type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "must be a positive duration such as \"30s\" or \"2m\""
}

// DurationRule is the rule of PositiveDuration, as the documentation states it.
const DurationRule = "a positive duration such as `\"30s\"` or `\"2m\"`"

func (durationValidator) MarkdownDescription(context.Context) string { return DurationRule }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := CheckPositiveDuration(req.ConfigValue.ValueString()); err != nil {
		SettingError(&resp.Diagnostics, req.Path, "", err)
	}
}
