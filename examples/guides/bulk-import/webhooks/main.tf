# The configuration that manages the adopted webhooks, and that you keep. Its webhooks come from
# the files adopted*.json next to it, which the discover configuration wrote (one file per
# adoption run; edit a value there to enforce it). Those files are frozen: a webhook created
# later, by anyone, is never in them, so nothing here imports it, and the import blocks are safe
# to keep (an id already in state is not imported again). Delete them after the first apply if
# you prefer.
terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

provider "webhooks" {}

locals {
  adopted = [for f in sort(fileset(path.module, "adopted*.json")) : jsondecode(file("${path.module}/${f}"))]

  lune_webhooks            = merge([for a in local.adopted : try(a.lune_webhooks, {})]...)
  inveterate_subscriptions = merge([for a in local.adopted : try(a.inveterate_webhook_subscriptions, {})]...)
  inveterate_webhooks      = merge([for a in local.adopted : try(a.inveterate_webhooks, {})]...)
  partner_webhooks         = merge([for a in local.adopted : try(a.partner_webhooks, {})]...)
}

# Lune webhooks.
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
import {
  for_each = local.inveterate_subscriptions
  to       = webhooks_inveterate_webhook_subscription.adopted[each.key]
  id       = each.key
}

resource "webhooks_inveterate_webhook_subscription" "adopted" {
  for_each     = local.inveterate_subscriptions
  topic        = each.value.topic
  callback_url = each.value.callback_url
  name         = each.value.name
}

# Inveterate admin webhooks.
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

# Every webhook this configuration manages, so that the next discovery leaves them out. Add the
# ids of webhooks you create in this configuration too.
output "webhook_ids" {
  value = concat(
    keys(webhooks_webhook.adopted),
    keys(webhooks_inveterate_webhook_subscription.adopted),
    keys(webhooks_inveterate_webhook.adopted),
    keys(webhooks_partner_webhook.adopted),
  )
}
