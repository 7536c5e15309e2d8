package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/webhookinfra/terraform-provider-webhooks/internal/sandbox"
)

// snippetPages are the pages whose Terraform snippets must run as pasted: the README and the
// provider page (its template, and the example files the template renders with tffile).
var snippetPages = []string{"README.md", "templates/index.md.tmpl"}

// snippetsNotConfigurations are the fenced hcl blocks of those pages that are not Terraform
// configurations, by their first line, and why. Keep it short: a Terraform snippet belongs here
// only if it cannot run on its own, and then it should say so on the page.
var snippetsNotConfigurations = map[string]string{
	"# dev.tfrc, used with TF_CLI_CONFIG_FILE=dev.tfrc": "a CLI configuration file (dev_overrides), not a Terraform configuration",
	"# offline.tfrc: a local build of this provider beside other providers (time, random, ...), with no": "a CLI configuration file; " +
		"TestLocalBuildOffline (main_test.go) runs it as the README shows it",
}

// snippetVariables are the variables the snippets may declare, each with the environment variable
// of the credential it stands for, which the provider reads when the variable is null.
var snippetVariables = map[string]string{
	"lune_api_key":        envLuneAPIKey,
	"inveterate_api_key":  envInveterateAPIKey,
	"blaze_partner_key":   envBlazePartnerKey,
	"blaze_developer_key": envBlazeDeveloperKey,
}

// docSnippet is a Terraform snippet as a reader copies it from a page.
type docSnippet struct {
	where string // page and line
	text  string
	page  string // the whole page, for the prose around the snippet
}

var tffileCall = regexp.MustCompile(`\{\{\s*tffile\s+"([^"]+)"\s*\}\}`)

// docSnippets are the Terraform snippets of snippetPages: every fenced ```hcl, ```terraform or
// ```tf block, and every file a template renders with tffile; not those in
// snippetsNotConfigurations, each of which must still be found.
func docSnippets(t *testing.T) []docSnippet {
	t.Helper()
	root := filepath.Join("..", "..")
	var out []docSnippet
	excluded := map[string]bool{}
	for _, page := range snippetPages {
		b, err := os.ReadFile(filepath.Join(root, page))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		lines := strings.Split(text, "\n")
		for i := 0; i < len(lines); i++ {
			if m := tffileCall.FindStringSubmatch(lines[i]); m != nil {
				src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m[1])))
				if err != nil {
					t.Fatalf("%s:%d: %v", page, i+1, err)
				}
				out = append(out, docSnippet{where: fmt.Sprintf("%s:%d %s", page, i+1, m[1]), text: string(src), page: text})
				continue
			}
			switch strings.TrimSpace(lines[i]) {
			case "```hcl", "```terraform", "```tf":
			default:
				continue
			}
			start, end := i+1, i+1
			for end < len(lines) && strings.TrimSpace(lines[end]) != "```" {
				end++
			}
			if end == len(lines) {
				t.Fatalf("%s:%d: a fenced block that does not end", page, start)
			}
			i = end
			body := strings.Join(lines[start:end], "\n") + "\n"
			first, _, _ := strings.Cut(body, "\n")
			if _, ok := snippetsNotConfigurations[first]; ok {
				excluded[first] = true
				continue
			}
			out = append(out, docSnippet{where: fmt.Sprintf("%s:%d", page, start), text: body, page: text})
		}
	}
	for first, why := range snippetsNotConfigurations {
		if !excluded[first] {
			t.Errorf("snippetsNotConfigurations names a block that no page has any more (%s): %q", why, first)
		}
	}
	if len(out) < 2 {
		t.Fatalf("found %d Terraform snippets in %v; the extraction is broken", len(out), snippetPages)
	}
	return out
}

// snippetVariablesOf returns the variables a snippet declares (name: sensitive = true) and those it
// references as var.<name>.
func snippetVariablesOf(t *testing.T, s docSnippet) (declared map[string]bool, used []string) {
	t.Helper()
	file, diags := hclsyntax.ParseConfig([]byte(s.text), s.where, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s does not parse: %v", s.where, diags)
	}
	body := file.Body.(*hclsyntax.Body)
	declared = map[string]bool{}
	for _, block := range body.Blocks {
		if block.Type != "variable" {
			continue
		}
		sensitive := false
		if attr, ok := block.Body.Attributes["sensitive"]; ok {
			v, diags := attr.Expr.Value(nil)
			sensitive = !diags.HasErrors() && v.True()
		}
		declared[block.Labels[0]] = sensitive
	}
	_ = hclsyntax.VisitAll(body, func(n hclsyntax.Node) hcl.Diagnostics { // the visitor reports nothing
		if e, ok := n.(*hclsyntax.ScopeTraversalExpr); ok && e.Traversal.RootName() == "var" && len(e.Traversal) > 1 {
			if attr, ok := e.Traversal[1].(hcl.TraverseAttr); ok && !slices.Contains(used, attr.Name) {
				used = append(used, attr.Name)
			}
		}
		return nil
	})
	return declared, used
}

// TestDocSnippets_declareTheirVariables holds every Terraform snippet of the README and the
// provider page to what running it as pasted needs, without a CLI: it declares the provider in
// required_providers, declares every variable it uses, each sensitive (they are the vendors'
// keys), and the page names TF_VAR_<name> for each, saying how to set it.
func TestDocSnippets_declareTheirVariables(t *testing.T) {
	for _, s := range docSnippets(t) {
		t.Run(s.where, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "main.tf")
			if err := os.WriteFile(f, []byte(s.text), 0o600); err != nil {
				t.Fatal(err)
			}
			if required, _ := providersOf(t, []string{f}); required["webhooks"] != "webhookinfra/webhooks" {
				t.Errorf("the snippet does not declare webhooks = { source = \"webhookinfra/webhooks\" } in required_providers, so it does not run as pasted:\n%s", s.text)
			}
			declared, used := snippetVariablesOf(t, s)
			for _, name := range used {
				if _, ok := declared[name]; !ok {
					t.Errorf("the snippet uses var.%s without declaring it", name)
				}
			}
			for name, sensitive := range declared {
				if !sensitive {
					t.Errorf("variable %q is not declared with sensitive = true", name)
				}
				if _, ok := snippetVariables[name]; !ok {
					t.Errorf("variable %q is not one of snippetVariables, which TestDocSnippets_runAsPasted sets", name)
				}
				if !strings.Contains(s.page, "TF_VAR_"+name) {
					t.Errorf("the page does not say how to set variable %q (TF_VAR_%s)", name, name)
				}
			}
		})
	}
}

// TestDocSnippets_runAsPasted runs every Terraform snippet of the README and the provider page as
// a reader would paste it, alone in an empty directory, against the sandbox: terraform init,
// validate and plan, with the keys given the two ways the pages say:
//   - as TF_VAR_<name> in Terraform's environment, the provider seeing only the sandbox's base URLs;
//   - with the variables unset (null), the provider reading the keys from its environment variables.
//
// A snippet that manages resources must fail to plan with neither, which shows that its keys
// really come from the variables.
func TestDocSnippets_runAsPasted(t *testing.T) {
	snippets := docSnippets(t)
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test (TF_ACC=1)")
	}
	e := &accEnv{t: t, srv: sandbox.NewServer(t, sandbox.Config{})}
	env := e.sandboxEnv()
	baseURLs := map[string]string{}
	var tfVars []string
	for k, v := range env {
		if strings.HasSuffix(k, "_BASE_URL") {
			baseURLs[k] = v
		}
	}
	for name, envName := range snippetVariables {
		tfVars = append(tfVars, "TF_VAR_"+name+"="+env[envName])
	}
	modes := []struct {
		name string
		cli  *terraformCLI
		env  []string
	}{
		{"keys as TF_VAR_", newTerraformCLI(t, testProvider("acctest", func(k string) string { return baseURLs[k] }, fastRetries)), tfVars},
		{"keys from the provider's environment", newTerraformCLI(t, testProvider("acctest", func(k string) string { return env[k] }, fastRetries)), nil},
		{"no keys", newTerraformCLI(t, testProvider("acctest", func(k string) string { return baseURLs[k] }, fastRetries)), nil},
	}
	for i, s := range snippets {
		t.Run(s.where, func(t *testing.T) {
			t.Parallel()
			managesResources := strings.Contains(s.text, "\nresource \"")
			for _, m := range modes {
				c := *m.cli
				c.t = t
				dir := c.in(fmt.Sprintf("snippet%d-%s", i, strings.ReplaceAll(m.name, " ", "-")))
				// Only the mode's variables: none from the environment the test runs in.
				dir.env = slices.DeleteFunc(slices.Clone(dir.env), func(kv string) bool { return strings.HasPrefix(kv, "TF_VAR_") })
				dir.env = append(dir.env, m.env...)
				dir.write("main.tf", s.text)
				dir.run("init", "-input=false", "-no-color")
				dir.run("validate", "-no-color")
				if m.name != "no keys" {
					dir.run("plan", "-input=false", "-no-color")
					continue
				}
				if !managesResources {
					continue
				}
				out, err := dir.command("plan", "-input=false", "-no-color").CombinedOutput()
				if err == nil || !strings.Contains(string(out), "Credentials") {
					t.Errorf("with no keys at all, the plan did not fail for missing credentials (err %v); do the keys come from the variables?\n%s", err, out)
				}
			}
		})
	}
}
