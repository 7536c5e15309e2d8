# The demo configuration: one of every resource type, a data source, and a secret rotation.
# `make demo` applies it against the local sandbox; the provider reads the sandbox's URLs and
# keys from the environment (LUNE_BASE_URL, LUNE_API_KEY, ...), so the provider block is empty.

terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

provider "webhooks" {}

variable "rotation" {
  description = "Change this to rotate the Lune signing secret in place."
  type        = string
  default     = "first"
}

# Lune: a webhook whose signing secret rotates whenever var.rotation changes.
resource "webhooks_webhook" "orders" {
  url = "https://hooks.example.com/lune/orders"

  secret_rotation_triggers = {
    rotation = var.rotation
  }
}

# Inveterate: a webhook subscription to one topic.
resource "webhooks_inveterate_webhook_subscription" "customer_updates" {
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/inveterate/customers"
  name         = "customer updates"
}

# Inveterate: an admin webhook with its one-time security token.
resource "webhooks_inveterate_webhook" "admin" {
  callback_url = "https://hooks.example.com/inveterate/admin"
  name         = "admin events"
}

# BLAZE: a partner webhook for new online orders.
resource "webhooks_partner_webhook" "orders" {
  web_hook_type = "NEW_CONSUMER_ORDER"
  web_hook_urls = ["https://hooks.example.com/blaze/orders"]
}

# Discovery: every Lune webhook of the organisation.
data "webhooks_webhooks" "all" {
  depends_on = [webhooks_webhook.orders]
}

output "lune_webhook" {
  description = "The Lune webhook (its secret stays in state; only its last 4 characters are shown)."
  value = {
    id           = webhooks_webhook.orders.id
    account_type = webhooks_webhook.orders.account_type
    secret_last4 = webhooks_webhook.orders.secret_last4
  }
}

output "inveterate_subscription_id" {
  value = webhooks_inveterate_webhook_subscription.customer_updates.id
}

output "inveterate_admin_webhook" {
  value = {
    id     = webhooks_inveterate_webhook.admin.id
    events = webhooks_inveterate_webhook.admin.events
  }
}

output "blaze_partner_webhook" {
  value = {
    id         = webhooks_partner_webhook.orders.id
    shop_id    = webhooks_partner_webhook.orders.shop_id
    created_at = webhooks_partner_webhook.orders.created_at
  }
}

output "lune_webhooks_found" {
  description = "How many Lune webhooks the data source sees."
  value       = length(data.webhooks_webhooks.all.webhooks)
}
