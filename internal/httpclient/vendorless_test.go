package httpclient

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The HTTP layer serves every vendor and knows none: vendor names, paths and errors belong to the
// vendor clients. This holds its code (not its tests, which play vendors) to that.
func TestNamesNoVendor(t *testing.T) {
	vendor := regexp.MustCompile(`(?i)\b(lune|inveterate|blaze)\b`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if vendor.MatchString(line) {
				t.Errorf("%s:%d names a vendor: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
