terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# Every Inveterate admin webhook of the merchant (tokens are never listed).
data "webhooks_inveterate_webhooks" "all" {}

output "inveterate_webhook_urls" {
  value = [for w in data.webhooks_inveterate_webhooks.all.webhooks : w.callback_url]
}

# To adopt every webhook listed here with import blocks, see the guide "Adopting existing
# webhooks in bulk".
