terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# Adopt an existing Inveterate admin webhook with an import block (Terraform 1.5+). Its token
# cannot be recovered: `token` is null after import.
import {
  to = webhooks_inveterate_webhook.example
  id = "fedcba9876543210fedcba9876543210"
}

resource "webhooks_inveterate_webhook" "example" {
  callback_url = "https://hooks.example.com/inveterate/events"
  name         = "Event receiver"
}
