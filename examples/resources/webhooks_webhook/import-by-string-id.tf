terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# Adopt an existing Lune webhook with an import block (Terraform 1.5+).
import {
  to = webhooks_webhook.example
  id = "6Kq0c9kB1n8Xg2Lr4Tz7Vw3Yp5Hs1Dd0"
}

resource "webhooks_webhook" "example" {
  url = "https://hooks.example.com/lune"
}
