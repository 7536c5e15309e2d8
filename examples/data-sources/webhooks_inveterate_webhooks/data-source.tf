# Every Inveterate admin webhook of the merchant (tokens are never listed).
data "webhooks_inveterate_webhooks" "all" {}

output "inveterate_webhook_urls" {
  value = [for w in data.webhooks_inveterate_webhooks.all.webhooks : w.callback_url]
}

# Adopt every existing admin webhook (Terraform 1.7+ for import blocks with for_each). Their tokens
# cannot be recovered: `token` is null for adopted webhooks.
locals {
  existing_webhooks = data.webhooks_inveterate_webhooks.all.webhooks
}

import {
  for_each = local.existing_webhooks
  to       = webhooks_inveterate_webhook.adopted[each.key]
  id       = each.value.id
}

resource "webhooks_inveterate_webhook" "adopted" {
  count        = length(local.existing_webhooks)
  callback_url = local.existing_webhooks[count.index].callback_url
  name         = local.existing_webhooks[count.index].name
}
