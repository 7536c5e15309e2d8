package validators

import (
	"slices"
	"strings"
)

// CodeList renders values as the documentation lists them: sorted, each in backticks, separated by
// commas ("`a`, `b`, `c`"). Descriptions build their lists of allowed or documented values with it
// from the slices the validators check, so the generated docs cannot list other values; a test
// parses the lists back out of the docs.
func CodeList(values []string) string {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return "`" + strings.Join(sorted, "`, `") + "`"
}
