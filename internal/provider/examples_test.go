package provider

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// exampleUnit is one configuration of examples/ as a user copies it: a single file where
// tfplugindocs renders each file as an example of its own (resources, data sources, the provider),
// a whole directory elsewhere (the guides, the demo).
type exampleUnit struct {
	name  string
	files []string
}

func exampleUnits(t *testing.T) []exampleUnit {
	t.Helper()
	root := filepath.Join("..", "..", "examples")
	dirs := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tf") {
			dirs[filepath.Dir(path)] = append(dirs[filepath.Dir(path)], path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var units []exampleUnit
	for dir, files := range dirs {
		rel, _ := filepath.Rel(root, dir)
		switch strings.SplitN(filepath.ToSlash(rel), "/", 2)[0] {
		case "resources", "data-sources", "provider":
			for _, f := range files {
				name, _ := filepath.Rel(root, f)
				units = append(units, exampleUnit{name: filepath.ToSlash(name), files: []string{f}})
			}
		default:
			units = append(units, exampleUnit{name: filepath.ToSlash(rel), files: files})
		}
	}
	slices.SortFunc(units, func(a, b exampleUnit) int { return strings.Compare(a.name, b.name) })
	if len(units) < 20 {
		t.Fatalf("found %d example configurations; the walk of examples/ is broken", len(units))
	}
	return units
}

// providersOf parses a configuration and returns the providers its terraform block requires (local
// name: source) and the local names of the providers its blocks use, by resource type prefix or
// provider block.
func providersOf(t *testing.T, files []string) (required map[string]string, used map[string]bool) {
	t.Helper()
	required, used = map[string]string{}, map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, diags := hclsyntax.ParseConfig(src, f, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", f, diags)
		}
		for _, block := range file.Body.(*hclsyntax.Body).Blocks {
			switch block.Type {
			case "resource", "data", "ephemeral":
				used[strings.SplitN(block.Labels[0], "_", 2)[0]] = true
			case "provider":
				used[block.Labels[0]] = true
			case "terraform":
				for _, inner := range block.Body.Blocks {
					if inner.Type != "required_providers" {
						continue
					}
					for name, attr := range inner.Body.Attributes {
						v, diags := attr.Expr.Value(nil)
						if diags.HasErrors() || !v.Type().IsObjectType() || !v.Type().HasAttribute("source") {
							t.Fatalf("%s: required_providers.%s is not { source = \"...\" }", f, name)
						}
						required[name] = v.GetAttr("source").AsString()
					}
				}
			}
		}
	}
	delete(used, "terraform") // terraform_data, terraform_remote_state: built in
	return required, used
}

// TestExamples_standalone copies every example configuration, as a user would, into an empty
// directory: each must declare every provider it uses in required_providers (ours as
// webhookinfra/webhooks), and those that use no provider but ours and Terraform's built-ins must
// pass terraform init and terraform validate there. The others (the rotation example uses the time
// provider) cannot be installed offline and are checked by the declaration alone.
func TestExamples_standalone(t *testing.T) {
	units := exampleUnits(t)
	cli := newTerraformCLI(t, testProvider("acctest", func(string) string { return "" }))
	identityImports := !cli.version().Core().LessThan(version.Must(version.NewVersion("1.12.0")))
	for _, u := range units {
		t.Run(u.name, func(t *testing.T) {
			t.Parallel()
			required, used := providersOf(t, u.files)
			if src := required["webhooks"]; src != "webhookinfra/webhooks" {
				t.Errorf("required_providers declares webhooks as %q, want webhookinfra/webhooks", src)
			}
			others := false
			for name := range used {
				if _, ok := required[name]; !ok {
					t.Errorf("uses provider %q without declaring it in required_providers", name)
				}
				others = others || name != "webhooks"
			}
			if others {
				t.Logf("uses other providers than webhooks, which cannot be installed offline: checked by its declarations only")
				return
			}
			if !identityImports && importsByIdentity(t, u.files) {
				t.Logf("imports by identity, which needs Terraform 1.12 to validate: checked by its declarations only")
				return
			}
			if need := requiredVersion(t, u.files); need != nil && !need.Check(cli.version().Core()) {
				t.Logf("needs Terraform %s: checked by its declarations only", need)
				return
			}
			dir := *cli
			dir.t = t
			c := dir.in(strings.ReplaceAll(u.name, "/", "_"))
			for _, f := range u.files {
				src, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				c.write(filepath.Base(f), string(src))
			}
			// The local modules it calls, at the same relative paths.
			for _, m := range localModules(t, u.files) {
				from := filepath.Join(filepath.Dir(u.files[0]), m)
				c.in(m).copyExample(from)
			}
			c.run("init", "-input=false", "-no-color", "-backend=false")
			c.run("validate", "-no-color")
		})
	}
}

// topBlocks are the top-level blocks of a configuration's files, each with the file it is in.
func topBlocks(t *testing.T, files []string) (blocks []*hclsyntax.Block, in []string) {
	t.Helper()
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, _ := hclsyntax.ParseConfig(src, f, hcl.InitialPos)
		for _, block := range file.Body.(*hclsyntax.Body).Blocks {
			blocks, in = append(blocks, block), append(in, f)
		}
	}
	return blocks, in
}

// requiredVersion is the terraform block's required_version of a configuration, nil without one.
func requiredVersion(t *testing.T, files []string) version.Constraints {
	t.Helper()
	blocks, in := topBlocks(t, files)
	for i, block := range blocks {
		if attr, ok := block.Body.Attributes["required_version"]; ok && block.Type == "terraform" {
			v, diags := attr.Expr.Value(nil)
			if diags.HasErrors() {
				t.Fatalf("%s: required_version: %v", in[i], diags)
			}
			c, err := version.NewConstraint(v.AsString())
			if err != nil {
				t.Fatalf("%s: required_version: %v", in[i], err)
			}
			return c
		}
	}
	return nil
}

// localModules are the sources of the module blocks of a configuration that are local paths, as
// written ("./modules/x").
func localModules(t *testing.T, files []string) []string {
	t.Helper()
	var dirs []string
	blocks, in := topBlocks(t, files)
	for i, block := range blocks {
		attr, ok := block.Body.Attributes["source"]
		if !ok || block.Type != "module" {
			continue
		}
		v, diags := attr.Expr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("%s: module %s: source: %v", in[i], block.Labels[0], diags)
		}
		if src := v.AsString(); strings.HasPrefix(src, "./") && !slices.Contains(dirs, src) {
			dirs = append(dirs, src)
		}
	}
	return dirs
}

// importsByIdentity tells whether a configuration has an import block with an identity.
func importsByIdentity(t *testing.T, files []string) bool {
	t.Helper()
	blocks, _ := topBlocks(t, files)
	for _, block := range blocks {
		if _, ok := block.Body.Attributes["identity"]; ok && block.Type == "import" {
			return true
		}
	}
	return false
}
