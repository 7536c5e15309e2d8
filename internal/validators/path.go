package validators

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
)

// Describe names an attribute the way a configuration writes it, for messages: lune.base_url,
// timeouts.create, web_hook_urls[0], secret_rotation_triggers["key"]. An element of a set has no
// index or key, so it is "an element of web_hook_urls" (the message then shows the value). It never
// shows the framework's internal notation, such as web_hook_urls[Value("...")].
func Describe(p path.Path) string {
	var b strings.Builder
	steps := p.Steps()
	for i, step := range steps {
		switch s := step.(type) {
		case path.PathStepAttributeName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(s))
		case path.PathStepElementKeyInt:
			fmt.Fprintf(&b, "[%d]", int64(s))
		case path.PathStepElementKeyString:
			fmt.Fprintf(&b, "[%q]", string(s))
		case path.PathStepElementKeyValue:
			if i == len(steps)-1 {
				return "an element of " + b.String()
			}
			// Inside a set of objects: the element cannot be named, only where it is.
			b.WriteString("[…]")
		}
	}
	return b.String()
}
