# The Lune webhooks that push events of one of these accounts (Terraform 1.14+). Webhooks without an account
# filter push every account's events, so they are listed too. Leave out the config block to list
# every webhook.
list "webhooks_webhook" "account" {
  provider         = webhooks
  include_resource = true

  config {
    account_ids = ["acc_7d3b0e0f"]
  }
}
