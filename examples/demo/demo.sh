#!/usr/bin/env bash
# make demo: build the provider, start the API sandbox on a free loopback port, apply the demo
# configuration against it (every resource type and a secret rotation), show the outputs once, show
# that a second plan is empty, destroy, and clean up. Needs only Go and terraform on PATH; TF_BIN
# names another CLI (make demo TF=tofu runs it on OpenTofu, built by make tofu).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cli=${TF_BIN:-terraform}
cli_name=$(basename "$cli")
work=$(mktemp -d "${TMPDIR:-/tmp}/webhooks-demo.XXXXXX")
sandbox_pid=""

cleanup() {
  if [ -n "$sandbox_pid" ] && kill -0 "$sandbox_pid" 2>/dev/null; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
say() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain"; }

# Terraform warns about dev_overrides on every command: expected here, so drop that one warning
# (up to the end of its paragraph) and keep every other one.
tf() {
  "$cli" "$@" -no-color 2>&1 | awk '
    /^Warning: Provider development overrides are in effect/ { skip = 1; next }
    skip && /releases\.$/ { skip = 2; next }
    skip == 2 && /^$/ { skip = 0; next }
    skip == 2 { skip = 0 }
    !skip { print }
  '
  return "${PIPESTATUS[0]}"
}

say "Building the provider and the sandbox"
mkdir -p "$work/bin" "$work/config"
(cd "$repo" && go build -o "$work/bin/terraform-provider-webhooks" . && go build -o "$work/webhooks-sandbox" ./internal/sandbox/cmd/webhooks-sandbox)

cat >"$work/terraformrc" <<CFG
provider_installation {
  dev_overrides {
    "webhookinfra/webhooks" = "$work/bin"
  }
  direct {}
}
CFG
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1

say "Starting the sandbox on a free loopback port"
"$work/webhooks-sandbox" -addr 127.0.0.1:0 -env-file "$work/sandbox.env" >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/sandbox.env" ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log"; echo "the sandbox did not start" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/sandbox.env" ] || { echo "the sandbox did not report its address" >&2; exit 1; }
set -a
# shellcheck disable=SC1091
. "$work/sandbox.env"
set +a
echo "sandbox (pid $sandbox_pid) at $LUNE_BASE_URL"

cp "$repo/examples/demo/main.tf" "$work/config/"
cd "$work/config"

say "$cli_name apply (no init: dev_overrides point $cli_name at the build; the outputs at the end show secrets' last 4 characters only)"
tf apply -auto-approve -input=false

before=$("$cli" output -json lune_webhook | sed -n 's/.*"secret_last4":"\([^"]*\)".*/\1/p')
say "Rotating the Lune signing secret in place (secret_rotation_triggers changes)"
tf apply -auto-approve -input=false -var rotation=second
after=$("$cli" output -json lune_webhook | sed -n 's/.*"secret_last4":"\([^"]*\)".*/\1/p')
echo "secret_last4 before: $before, after: $after"
[ -n "$after" ] && [ "$before" != "$after" ] || { echo "the secret was not rotated" >&2; exit 1; }

say "A second plan is empty"
set +e
tf plan -detailed-exitcode -input=false -var rotation=second
code=$?
set -e
[ "$code" -eq 0 ] || { echo "the plan after apply is not empty (exit code $code)" >&2; exit 1; }

say "$cli_name destroy"
tf destroy -auto-approve -input=false -var rotation=second

say "Done: every resource was created, rotated, planned clean and destroyed"
