package provider

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// A set built from an API list equals, in every way a refresh compares (reflect.DeepEqual in
// saveRead), the same set as Terraform sends it back: its strings sorted.
func TestStringSetOrNullSorts(t *testing.T) {
	got, diags := stringSetOrNull(context.Background(), []string{"acc_b", "acc_c", "acc_a"})
	if diags.HasError() {
		t.Fatal(diags)
	}
	want := types.SetValueMust(types.StringType, []attr.Value{types.StringValue("acc_a"), types.StringValue("acc_b"), types.StringValue("acc_c")})
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if null, _ := stringSetOrNull(context.Background(), nil); !null.IsNull() {
		t.Fatalf("no values: %v, want null", null)
	}
}
