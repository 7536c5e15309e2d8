// Package pluginlog decides what a provider process logs when it is started by Terraform.
package pluginlog

// levelVariables set the levels of the plugin SDK's loggers and of the provider's own, which all
// default to TRACE when unset.
var levelVariables = []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_WEBHOOKS"}

// QuietUnread turns the provider's logging off when nobody will read it. Terraform and OpenTofu
// start the provider with their own environment and keep its log lines at TF_LOG_PROVIDER's
// level, else TF_LOG's, dropping every line when neither is set. The plugin SDK writes its lines
// at TRACE all the same: a dozen JSON lines per call, which the provider formats and the client
// parses only to throw away, about a quarter of the provider's CPU in a plan of hundreds of
// resources. With neither variable set, the levels above are set to off, unless the user set one
// of them.
//
// The bench's ideal provider calls it too, so that its floor is not raised by lines ours skips.
func QuietUnread(getenv func(string) string, setenv func(key, value string) error) {
	if getenv("TF_LOG") != "" || getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, name := range levelVariables {
		if getenv(name) == "" {
			_ = setenv(name, "off")
		}
	}
}
