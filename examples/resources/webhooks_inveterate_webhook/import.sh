# Import an Inveterate admin webhook by its id (32 lowercase hexadecimal characters). Inveterate
# shows the security token only when the webhook is created, so `token` is null after import;
# replace the webhook (terraform apply -replace=...) to get a new one.
terraform import webhooks_inveterate_webhook.example fedcba9876543210fedcba9876543210
