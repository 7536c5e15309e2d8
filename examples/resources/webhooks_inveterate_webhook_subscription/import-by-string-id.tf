terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# Adopt an existing Inveterate webhook subscription with an import block (Terraform 1.5+). The id
# may also be written "<topic>/<id>", such as "customer.updated/0123456789abcdef0123456789abcdef".
import {
  to = webhooks_inveterate_webhook_subscription.example
  id = "0123456789abcdef0123456789abcdef"
}

resource "webhooks_inveterate_webhook_subscription" "example" {
  topic        = "customer.updated"
  callback_url = "https://hooks.example.com/inveterate/customers"
  name         = "CRM sync"
}
