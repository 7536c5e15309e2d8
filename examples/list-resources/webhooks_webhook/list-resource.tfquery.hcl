# The Lune webhooks that push events of one account (Terraform 1.14+). Webhooks without an account
# filter push every account's events, so they are listed too. Leave out the config block to list
# every webhook.
list "webhooks_webhook" "account" {
  provider         = webhooks
  include_resource = true

  config {
    account_id = "acc_7d3b0e0f"
  }
}
