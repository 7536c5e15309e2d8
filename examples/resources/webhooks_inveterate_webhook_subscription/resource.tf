terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# Send Inveterate's customer.updated events to a receiver. The apply returns once Inveterate lists
# the new subscription (Inveterate accepts creates first and lists them a moment later).
resource "webhooks_inveterate_webhook_subscription" "customer_updated" {
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/inveterate/customers"
  name         = "CRM sync"
}

# One subscription per topic, from a list.
locals {
  billing_topics = ["customer.payment_succeeded", "customer.payment_failed"]
}

resource "webhooks_inveterate_webhook_subscription" "billing" {
  for_each = toset(local.billing_topics)

  topic        = each.value
  callback_url = "https://hooks.example.com/inveterate/billing"
  name         = "Billing: ${each.value}"

  timeouts = {
    create = "10m" # includes waiting for Inveterate to list the new subscription
  }
}
