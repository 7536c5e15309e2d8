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

// OperationTimeout validates one key of a resource's `timeouts = { ... }`: a positive duration. The
// error names the key (timeouts.create) and gives examples; nothing is replaced by the default.
func OperationTimeout() validator.String { return operationTimeoutValidator{} }

type operationTimeoutValidator struct{}

func (operationTimeoutValidator) Description(context.Context) string {
	return "must be a positive duration such as \"5m\" or \"90s\""
}

func (v operationTimeoutValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (operationTimeoutValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := CheckOperationTimeout(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Timeout", fmt.Sprintf("%s: %s.", Describe(req.Path), err))
	}
}

// CheckOperationTimeout is the rule of OperationTimeout.
func CheckOperationTimeout(raw string) error {
	const examples = `such as "5m", "90s" or "1h30m" (units "s", "m" and "h"); leave the key out for its default`
	d, err := time.ParseDuration(raw)
	if err != nil {
		return fmt.Errorf("%q is not a duration: write a number and a unit, %s", raw, examples)
	}
	if d <= 0 {
		return fmt.Errorf("%q is not a positive duration: a timeout must be greater than zero, %s", raw, examples)
	}
	return nil
}
