package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/blaze"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/inveterate"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/lune"
	"github.com/webhookinfra/terraform-provider-webhooks/internal/validators"
)

// generatedDoc is a page of docs/ as make generate wrote it.
func generatedDoc(t *testing.T, page string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", filepath.FromSlash(page)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// attributeDescription is the markdown description of an attribute, named as
// everyDocumentedAttribute names it ("resource webhooks_webhook.url").
func attributeDescription(t *testing.T, where string) string {
	t.Helper()
	for _, a := range everyDocumentedAttribute(t) {
		if a.where == where {
			return a.description
		}
	}
	t.Fatalf("no attribute %s in the provider's schemas", where)
	return ""
}

// docBullets are the lines of a generated page that document the attribute name (tfplugindocs
// writes "- `name` (Type) description"), nested attributes of the same name included.
func docBullets(doc, name string) []string {
	var out []string
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "- `"+name+"` (") {
			out = append(out, line)
		}
	}
	return out
}

// codeListAfter parses back the list that validators.CodeList rendered after marker in text:
// "`a`, `b`, `c`". ok is false when marker is not in text.
func codeListAfter(text, marker string) (values []string, ok bool) {
	i := strings.Index(text, marker)
	if i < 0 {
		return nil, false
	}
	rest := text[i+len(marker):]
	for strings.HasPrefix(rest, "`") {
		end := strings.Index(rest[1:], "`")
		if end < 0 {
			break
		}
		values = append(values, rest[1:1+end])
		rest = rest[2+end:]
		if !strings.HasPrefix(rest, ", ") {
			break
		}
		rest = rest[2:]
	}
	return values, true
}

// backticked are the code spans of a line of markdown.
func backticked(line string) []string {
	var out []string
	for _, m := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(line, -1) {
		out = append(out, m[1])
	}
	return out
}

// sameSet tells whether a and b hold the same values, ignoring order; and lists the differences.
func sameSet(a, b []string) (onlyA, onlyB []string) {
	for _, v := range a {
		if !slices.Contains(b, v) {
			onlyA = append(onlyA, v)
		}
	}
	for _, v := range b {
		if !slices.Contains(a, v) {
			onlyB = append(onlyB, v)
		}
	}
	return onlyA, onlyB
}

// validateString runs a string validator on value, as Terraform would at plan time.
func validateString(v validator.String, value string) *validator.StringResponse {
	var resp validator.StringResponse
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: types.StringValue(value)}, &resp)
	return &resp
}

// TestDocs_listTheValidatorsValues holds each list of values that the docs give to the slice the
// validator checks: the documented Inveterate topics, the BLAZE webhook types, and the events of
// an Inveterate admin webhook. For each attribute that shows one:
//   - the schema's description lists exactly the slice's values;
//   - the generated page (docs/) carries that description verbatim, and the list parsed back out of
//     it is the slice, as a set: a value added to the slice without make generate fails here;
//   - no value the page lists, or gives as an example in the attribute's line, is one the
//     validator rejects (or, for topics, warns about).
//
// validators.CodeList renders the lists from the slices, so the descriptions need no copy of them.
func TestDocs_listTheValidatorsValues(t *testing.T) {
	topic := regexp.MustCompile(`^[a-z_]+(\.[a-z_]+)+$`) // what looks like a topic in the text
	blazeType := regexp.MustCompile(`^[A-Z]+(_[A-Z]+)+$`)
	for _, c := range []struct {
		where, page, name, marker string
		values                    []string
		// looksLike picks, among the code spans of the attribute's line, the values of this kind
		// (examples included), which check must accept; nil for a computed attribute.
		looksLike *regexp.Regexp
		check     func(string) *validator.StringResponse
		// onPage is text the page must show elsewhere (its template states it by hand).
		onPage []string
	}{
		{
			where: "resource webhooks_inveterate_webhook_subscription.topic", page: "resources/inveterate_webhook_subscription.md",
			name: "topic", marker: "The topics Inveterate documents: ", values: inveterate.Topics,
			looksLike: topic, check: func(v string) *validator.StringResponse { return validateString(validators.InveterateTopic(), v) },
			onPage: []string{"`" + inveterate.TopicPattern.String() + "`"},
		},
		{
			where: "resource webhooks_partner_webhook.web_hook_type", page: "resources/partner_webhook.md",
			name: "web_hook_type", marker: "one of ", values: blaze.WebhookTypes,
			looksLike: blazeType, check: func(v string) *validator.StringResponse { return validateString(validators.BlazeWebhookType(), v) },
		},
		{
			where: "data source webhooks_partner_webhooks.web_hook_type", page: "data-sources/partner_webhooks.md",
			name: "web_hook_type", marker: "one of ", values: blaze.WebhookTypes,
			looksLike: blazeType, check: func(v string) *validator.StringResponse { return validateString(validators.BlazeWebhookType(), v) },
		},
		{
			where: "list webhooks_partner_webhook.web_hook_type", page: "list-resources/partner_webhook.md",
			name: "web_hook_type", marker: "one of ", values: blaze.WebhookTypes,
			looksLike: blazeType, check: func(v string) *validator.StringResponse { return validateString(validators.BlazeWebhookType(), v) },
		},
		{
			// The admin webhook has no topic: every one receives the same fixed events.
			where: "resource webhooks_inveterate_webhook.events", page: "resources/inveterate_webhook.md",
			name: "events", marker: "(there is no per-webhook filter): ", values: inveterate.WebhookEvents,
		},
	} {
		t.Run(c.where, func(t *testing.T) {
			description := attributeDescription(t, c.where)
			listed, ok := codeListAfter(description, c.marker)
			if !ok {
				t.Fatalf("the description does not list the values after %q:\n%s", c.marker, description)
			}
			if missing, extra := sameSet(c.values, listed); len(missing)+len(extra) != 0 {
				t.Errorf("the description lists %v: missing %v, not in the validator's slice %v", listed, missing, extra)
			}

			doc := generatedDoc(t, c.page)
			if !strings.Contains(doc, description) {
				t.Errorf("docs/%s does not carry the description of %s as the schema has it: run make generate", c.page, c.name)
			}
			for _, want := range c.onPage {
				if !strings.Contains(doc, want) {
					t.Errorf("docs/%s does not show %s", c.page, want)
				}
			}
			var lines []string
			for _, line := range docBullets(doc, c.name) {
				if strings.Contains(line, c.marker) {
					lines = append(lines, line)
				}
			}
			if len(lines) == 0 {
				t.Fatalf("docs/%s has no line documenting %s with its list: run make generate", c.page, c.name)
			}
			for _, line := range lines {
				documented, _ := codeListAfter(line, c.marker)
				if missing, extra := sameSet(c.values, documented); len(missing)+len(extra) != 0 {
					t.Errorf("docs/%s lists %v for %s: missing %v, not in the validator's slice %v; run make generate",
						c.page, documented, c.name, missing, extra)
				}
				if c.check == nil {
					continue
				}
				for _, v := range backticked(line) {
					if !c.looksLike.MatchString(v) {
						continue
					}
					if resp := c.check(v); resp.Diagnostics.ErrorsCount()+resp.Diagnostics.WarningsCount() != 0 {
						t.Errorf("docs/%s mentions %q for %s, which the validator does not accept silently: %v", c.page, v, c.name, resp.Diagnostics)
					}
				}
			}
		})
	}
}

// TestDocs_luneURLRule holds the documentation of webhooks_webhook's url to the validator:
//   - the description shows Lune's pattern verbatim (lune.URLPattern, which the validator
//     matches) and the rule in words, and docs/resources/webhook.md carries that description;
//   - the words state the pattern's scheme, lengths and characters, read from the pattern itself:
//     a change of the pattern fails here until the words follow;
//   - every URL the line mentions is an accepted or a rejected example, and the validator agrees.
func TestDocs_luneURLRule(t *testing.T) {
	description := attributeDescription(t, "resource webhooks_webhook.url")
	for _, want := range []string{"`" + lune.URLPattern.String() + "`", validators.LuneURLRule} {
		if !strings.Contains(description, want) {
			t.Errorf("the description of url does not state %s:\n%s", want, description)
		}
	}
	doc := generatedDoc(t, "resources/webhook.md")
	if !strings.Contains(doc, description) {
		t.Error("docs/resources/webhook.md does not carry the description of url as the schema has it: run make generate")
	}

	// The pattern, part by part: the scheme, the host's characters and length, a dot, the
	// top-level domain's lowercase letters and length, a word boundary, then the rest's characters.
	re, err := syntax.Parse(lune.URLPattern.String(), syntax.Perl)
	if err != nil {
		t.Fatal(err)
	}
	var parts []*syntax.Regexp
	for _, p := range re.Sub {
		if p.Op == syntax.OpCapture {
			p = p.Sub[0]
		}
		parts = append(parts, p)
	}
	ops := make([]syntax.Op, len(parts))
	for i, p := range parts {
		ops[i] = p.Op
	}
	wantOps := []syntax.Op{syntax.OpBeginText, syntax.OpLiteral, syntax.OpRepeat, syntax.OpLiteral, syntax.OpRepeat,
		syntax.OpWordBoundary, syntax.OpStar, syntax.OpEndText}
	if re.Op != syntax.OpConcat || !slices.Equal(ops, wantOps) {
		t.Fatalf("lune.URLPattern has another shape (%v) than LuneURLRule describes: update the rule and this test", ops)
	}
	rule := validators.LuneURLRule
	if scheme := string(parts[1].Rune); !strings.HasPrefix(rule, "`"+scheme+"`") {
		t.Errorf("the rule does not begin with the scheme %q: %s", scheme, rule)
	}
	if string(parts[3].Rune) != "." {
		t.Errorf("the pattern's host ends in %q, the rule says a dot", string(parts[3].Rune))
	}
	host, tld, rest := parts[2], parts[4], parts[6]
	for _, r := range []*syntax.Regexp{host, tld} {
		if n := strings.Count(rule, rangeWords(r.Min, r.Max)); n != 1 {
			t.Errorf("the rule states %q %d times, want once: %s", rangeWords(r.Min, r.Max), n, rule)
		}
	}
	if got := classWords(tld.Sub[0]); got != "lowercase letters" || !strings.Contains(rule, rangeWords(tld.Min, tld.Max)+" lowercase letters") {
		t.Errorf("the top-level domain is %s, the rule says %q lowercase letters: %s", got, rangeWords(tld.Min, tld.Max), rule)
	}
	// The host's and the rest's characters: ASCII letters, digits, and the symbols the rule lists.
	stated := regexp.MustCompile("ASCII letters, digits or `([^`]+)`").FindAllStringSubmatch(rule, -1)
	if len(stated) != 2 {
		t.Fatalf("the rule states the characters of %d parts, want 2 (the host and the rest): %s", len(stated), rule)
	}
	for i, class := range []*syntax.Regexp{host.Sub[0], rest.Sub[0]} {
		if got, want := classWords(class), "ASCII letters, digits or "+sortedRunes(stated[i][1]); got != want {
			t.Errorf("part %d of the URL: the pattern allows %s, the rule says %s", i+1, got, want)
		}
	}

	// The examples: every URL of the line, accepted or rejected as the line says.
	lines := docBullets(doc, "url")
	if len(lines) != 1 {
		t.Fatalf("docs/resources/webhook.md has %d lines documenting url, want 1", len(lines))
	}
	line := lines[0]
	accepted, rejected := section(line, "Accepted, for example: ", "Rejected"), section(line, "Rejected, for example: ", "Changing")
	if len(urls(accepted)) < 2 || len(urls(rejected)) < 3 {
		t.Fatalf("the line gives %d accepted and %d rejected example URLs; the parse of the line is broken:\n%s", len(urls(accepted)), len(urls(rejected)), line)
	}
	if n := len(urls(accepted)) + len(urls(rejected)); n != len(urls(line)) {
		t.Errorf("the line mentions %d URLs, of which %d are given as accepted or rejected examples:\n%s", len(urls(line)), n, line)
	}
	for _, u := range urls(accepted) {
		if resp := validateString(validators.LuneURL(), u); resp.Diagnostics.HasError() {
			t.Errorf("the docs give %s as accepted, the validator rejects it: %v", u, resp.Diagnostics)
		}
	}
	for _, u := range urls(rejected) {
		if resp := validateString(validators.LuneURL(), u); !resp.Diagnostics.HasError() {
			t.Errorf("the docs give %s as rejected, the validator accepts it", u)
		}
	}
}

// rangeWords is how the rule states a length from min to max.
func rangeWords(minimum, maximum int) string { return fmt.Sprintf("%d to %d", minimum, maximum) }

// classWords describes a character class of ASCII characters: "lowercase letters", or "ASCII
// letters, digits or " and its other characters, sorted.
func classWords(class *syntax.Regexp) string {
	in := map[rune]bool{}
	for i := 0; i+1 < len(class.Rune); i += 2 {
		for r := class.Rune[i]; r <= class.Rune[i+1] && r < 128; r++ {
			in[r] = true
		}
	}
	all := func(lo, hi rune) (every, some bool) {
		every = true
		for r := lo; r <= hi; r++ {
			every, some = every && in[r], some || in[r]
		}
		return every, some
	}
	lower, _ := all('a', 'z')
	upper, someUpper := all('A', 'Z')
	digits, someDigits := all('0', '9')
	alphanumeric := func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' }
	var others []rune
	for r := range in {
		if !alphanumeric(r) {
			others = append(others, r)
		}
	}
	switch {
	case lower && !someUpper && !someDigits && len(others) == 0:
		return "lowercase letters"
	case lower && upper && digits:
		return "ASCII letters, digits or " + sortedRunes(string(others))
	}
	return "another class: " + class.String()
}

// sortedRunes are the characters of s, sorted, once each.
func sortedRunes(s string) string {
	rs := []rune(s)
	slices.Sort(rs)
	return string(slices.Compact(rs))
}

// section is the text of line from the first marker to the following end (or the end of line).
func section(line, marker, end string) string {
	i := strings.Index(line, marker)
	if i < 0 {
		return ""
	}
	s := line[i+len(marker):]
	if j := strings.Index(s, end); j >= 0 {
		s = s[:j]
	}
	return s
}

// urls are the code spans of text that are http(s) URLs (a scheme alone is not).
func urls(text string) []string {
	var out []string
	for _, v := range backticked(text) {
		if v != "http://" && v != "https://" && (strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")) {
			out = append(out, v)
		}
	}
	return out
}
