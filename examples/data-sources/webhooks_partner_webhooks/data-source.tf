# Every BLAZE partner webhook of the developer key's company (every page is read).
data "webhooks_partner_webhooks" "all" {}

# The member webhooks of one shop.
data "webhooks_partner_webhooks" "shop_members" {
  shop_id       = "65a1f0c2b3d4e5f607182931"
  web_hook_type = "NEW_MEMBER"
}

output "blaze_webhook_urls" {
  value = { for w in data.webhooks_partner_webhooks.all.partner_webhooks : w.id => w.web_hook_urls }
}

# Adopt every existing webhook: one import block per webhook listed.
locals {
  existing = data.webhooks_partner_webhooks.all.partner_webhooks
}

import {
  for_each = local.existing
  to       = webhooks_partner_webhook.adopted[each.key]
  id       = each.value.id
}

resource "webhooks_partner_webhook" "adopted" {
  count         = length(local.existing)
  web_hook_type = local.existing[count.index].web_hook_type
  web_hook_urls = local.existing[count.index].web_hook_urls
  url           = local.existing[count.index].url
}
