# The Inveterate webhook subscriptions to one topic (Terraform 1.14+). Leave out the config block
# to list the subscriptions of every topic.
list "webhooks_inveterate_webhook_subscription" "customer_updates" {
  provider         = webhooks
  include_resource = true

  config {
    topic = "customer.updated"
  }
}
