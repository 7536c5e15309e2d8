terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# Adopt an existing BLAZE partner webhook with an import block (Terraform 1.5+).
import {
  to = webhooks_partner_webhook.example
  id = "65b2a1c3d4e5f60718293a4b"
}

resource "webhooks_partner_webhook" "example" {
  web_hook_type = "NEW_MEMBER"
  web_hook_urls = ["https://hooks.example.com/blaze/members"]
}
