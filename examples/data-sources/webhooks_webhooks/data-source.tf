terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# Every Lune webhook of the organisation.
data "webhooks_webhooks" "all" {}

# The webhooks that push events of one account (webhooks without a filter push every account's
# events, so they are included too).
data "webhooks_webhooks" "main_account" {
  account_ids = ["acc_7d3b0e0f"]
}

output "lune_webhook_urls" {
  value = [for w in data.webhooks_webhooks.all.webhooks : w.url]
}

# To adopt every webhook listed here with import blocks, see the guide "Adopting existing
# webhooks in bulk".
