terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# Adopt an existing Inveterate webhook subscription with an import block that names its resource
# identity (Terraform 1.12+). The identity is the id alone, never "<topic>/<id>".
import {
  to = webhooks_inveterate_webhook_subscription.example
  identity = {
    id = "0123456789abcdef0123456789abcdef"
  }
}

resource "webhooks_inveterate_webhook_subscription" "example" {
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/inveterate/customers"
  name         = "CRM sync"
}
