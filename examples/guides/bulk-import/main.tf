# Adopt every existing webhook of every vendor: a data source lists them, an import block with
# for_each imports each one (Terraform 1.7+), and a resource with the same for_each describes it
# with the values read from the vendor, so the first plan changes nothing. Keyed by id, the
# addresses stay stable when webhooks come and go.

# Lune webhooks.
data "webhooks_webhooks" "existing" {}

locals {
  lune_webhooks = { for w in data.webhooks_webhooks.existing.webhooks : w.id => w }
}

import {
  for_each = local.lune_webhooks
  to       = webhooks_webhook.adopted[each.key]
  id       = each.key
}

resource "webhooks_webhook" "adopted" {
  for_each    = local.lune_webhooks
  url         = each.value.url
  enabled     = each.value.enabled
  account_ids = each.value.account_ids
}

# Inveterate webhook subscriptions.
data "webhooks_inveterate_webhook_subscriptions" "existing" {}

locals {
  inveterate_subscriptions = { for s in data.webhooks_inveterate_webhook_subscriptions.existing.subscriptions : s.id => s }
}

import {
  for_each = local.inveterate_subscriptions
  to       = webhooks_inveterate_webhook_subscription.adopted[each.key]
  id       = "${each.value.topic}/${each.key}"
}

resource "webhooks_inveterate_webhook_subscription" "adopted" {
  for_each     = local.inveterate_subscriptions
  topic        = each.value.topic
  callback_url = each.value.callback_url
  name         = each.value.name
}

# Inveterate admin webhooks.
data "webhooks_inveterate_webhooks" "existing" {}

locals {
  inveterate_webhooks = { for w in data.webhooks_inveterate_webhooks.existing.webhooks : w.id => w }
}

import {
  for_each = local.inveterate_webhooks
  to       = webhooks_inveterate_webhook.adopted[each.key]
  id       = each.key
}

resource "webhooks_inveterate_webhook" "adopted" {
  for_each     = local.inveterate_webhooks
  callback_url = each.value.callback_url
  name         = each.value.name
}

# BLAZE partner webhooks.
data "webhooks_partner_webhooks" "existing" {}

locals {
  partner_webhooks = { for w in data.webhooks_partner_webhooks.existing.partner_webhooks : w.id => w }
}

import {
  for_each = local.partner_webhooks
  to       = webhooks_partner_webhook.adopted[each.key]
  id       = each.key
}

resource "webhooks_partner_webhook" "adopted" {
  for_each      = local.partner_webhooks
  web_hook_type = each.value.web_hook_type
  web_hook_urls = each.value.web_hook_urls
  url           = each.value.url
  shop_id       = each.value.shop_id
}
