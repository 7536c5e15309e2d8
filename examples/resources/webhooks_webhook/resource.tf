terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
    time = {
      source = "hashicorp/time"
    }
  }
}

# A Lune webhook for every account of the organisation.
resource "webhooks_webhook" "orders" {
  url = "https://hooks.example.com/lune/orders"
}

# Only two accounts' events, created disabled.
resource "webhooks_webhook" "staging" {
  url         = "https://staging.example.com/lune"
  account_ids = ["acc_7d3b0e0f", "acc_1c2d3e4f"]
  enabled     = false
}

# Rotate the signing secret every 90 days, in place: time_rotating changes its value, which
# changes secret_rotation_triggers, which rotates the secret on the next apply.
resource "time_rotating" "lune_secret" {
  rotation_days = 90
}

resource "webhooks_webhook" "rotated" {
  url = "https://hooks.example.com/lune/rotated"

  secret_rotation_triggers = {
    rotated_at = time_rotating.lune_secret.id
  }
}

# Hand the secret to the receiver without printing it.
output "lune_webhook_secret" {
  value     = webhooks_webhook.rotated.secret
  sensitive = true
}
