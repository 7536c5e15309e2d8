terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# An admin webhook receives every merchant and customer event listed in `events`. Inveterate puts
# the security token in the body of each event; pass it to the receiver so it can check senders.
resource "webhooks_inveterate_webhook" "events" {
  callback_url = "https://hooks.example.com/inveterate/events"
  name         = "Event receiver"
}

output "inveterate_webhook_token" {
  value     = webhooks_inveterate_webhook.events.token
  sensitive = true
}

output "inveterate_webhook_events" {
  value = webhooks_inveterate_webhook.events.events
}
