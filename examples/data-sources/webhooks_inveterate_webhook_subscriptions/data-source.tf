# Every Inveterate webhook subscription of the merchant.
data "webhooks_inveterate_webhook_subscriptions" "all" {}

# Only the subscriptions of one topic.
data "webhooks_inveterate_webhook_subscriptions" "customer_updated" {
  topic = "customer.updated"
}

output "inveterate_subscription_urls" {
  value = { for s in data.webhooks_inveterate_webhook_subscriptions.all.subscriptions : s.id => s.callback_url }
}

# Adopt every existing subscription (Terraform 1.7+ for import blocks with for_each).
locals {
  existing_subscriptions = data.webhooks_inveterate_webhook_subscriptions.all.subscriptions
}

import {
  for_each = local.existing_subscriptions
  to       = webhooks_inveterate_webhook_subscription.adopted[each.key]
  id       = "${each.value.topic}/${each.value.id}"
}

resource "webhooks_inveterate_webhook_subscription" "adopted" {
  count        = length(local.existing_subscriptions)
  topic        = local.existing_subscriptions[count.index].topic
  callback_url = local.existing_subscriptions[count.index].callback_url
  name         = local.existing_subscriptions[count.index].name
}
