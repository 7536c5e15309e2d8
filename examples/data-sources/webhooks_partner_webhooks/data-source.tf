terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

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

# To adopt every webhook listed here with import blocks, see the guide "Adopting existing
# webhooks in bulk".
