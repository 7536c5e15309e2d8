# Import a BLAZE partner webhook by its id (24 lowercase hexadecimal characters).
terraform import webhooks_partner_webhook.example 65b2a1c3d4e5f60718293a4b
