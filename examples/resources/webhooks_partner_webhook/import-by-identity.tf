terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# Adopt an existing BLAZE partner webhook with an import block that names its resource identity
# (Terraform 1.12+).
import {
  to = webhooks_partner_webhook.example
  identity = {
    id = "65b2a1c3d4e5f60718293a4b"
  }
}

resource "webhooks_partner_webhook" "example" {
  web_hook_type = "NEW_MEMBER"
  web_hook_urls = ["https://hooks.example.com/blaze/members"]
}
