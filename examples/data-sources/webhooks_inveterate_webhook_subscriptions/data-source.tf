terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# Every Inveterate webhook subscription of the merchant.
data "webhooks_inveterate_webhook_subscriptions" "all" {}

# Only the subscriptions of one topic.
data "webhooks_inveterate_webhook_subscriptions" "customer_updated" {
  topic = "customer.updated"
}

output "inveterate_subscription_urls" {
  value = { for s in data.webhooks_inveterate_webhook_subscriptions.all.subscriptions : s.id => s.callback_url }
}

# To adopt every webhook listed here with import blocks, see the guide "Adopting existing
# webhooks in bulk".
