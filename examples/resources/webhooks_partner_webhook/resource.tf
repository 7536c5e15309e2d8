terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# New online orders of the developer key's shop, posted to two receivers.
resource "webhooks_partner_webhook" "orders" {
  web_hook_type = "NEW_CONSUMER_ORDER"
  web_hook_urls = [
    "https://hooks.example.com/blaze/orders",
    "https://backup.example.com/blaze/orders",
  ]
}

# Completed transactions of a named shop (it must be the developer key's shop: BLAZE ties a
# developer key to one company and shop). Changing shop_id replaces the webhook.
resource "webhooks_partner_webhook" "transactions" {
  web_hook_type = "COMPLETE_TRANSACTION"
  web_hook_urls = ["https://hooks.example.com/blaze/transactions"]
  url           = "https://hooks.example.com/blaze"
  shop_id       = "65a1f0c2b3d4e5f607182931"

  timeouts = {
    create = "2m"
  }
}
