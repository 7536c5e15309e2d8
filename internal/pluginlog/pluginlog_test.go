package pluginlog

import (
	"reflect"
	"testing"
)

func TestQuietUnread(t *testing.T) {
	allOff := map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_PROTO": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_PROVIDER_WEBHOOKS": "off"}
	tests := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"nothing set: Terraform drops every line, so none is written", nil, allOff},
		{"only Terraform's own logs: the provider's are still dropped", map[string]string{"TF_LOG_CORE": "TRACE", "TF_LOG_PATH": "tf.log"}, allOff},
		{"TF_LOG", map[string]string{"TF_LOG": "DEBUG"}, map[string]string{}},
		{"TF_LOG_PROVIDER", map[string]string{"TF_LOG_PROVIDER": "TRACE"}, map[string]string{}},
		{"a level the user chose is kept", map[string]string{"TF_LOG_SDK_PROTO": "TRACE"},
			map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_PROVIDER_WEBHOOKS": "off"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := map[string]string{}
			QuietUnread(func(k string) string { return tt.env[k] }, func(k, v string) error {
				set[k] = v
				return nil
			})
			if !reflect.DeepEqual(set, tt.want) {
				t.Errorf("set %v, want %v", set, tt.want)
			}
		})
	}
}
