# Import an Inveterate webhook subscription by its id (32 lowercase hexadecimal characters); its
# topic is found by listing the subscriptions.
terraform import webhooks_inveterate_webhook_subscription.example 0123456789abcdef0123456789abcdef

# Or by <topic>/<id>: the import fails if the subscription has another topic.
terraform import webhooks_inveterate_webhook_subscription.example customer.updated/0123456789abcdef0123456789abcdef
