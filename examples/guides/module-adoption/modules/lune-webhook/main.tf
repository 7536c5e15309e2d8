# A team's shared module for one Lune webhook. With adopt_id set, the module adopts the webhook that
# already exists at Lune instead of creating a second one: the import block lives inside the module
# (Terraform 1.16 and later), so callers only pass an id. Once adopted, adopt_id may stay: an import
# of an object already in state does nothing.
terraform {
  required_version = ">= 1.16"
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

variable "url" {
  description = "Where Lune sends the events."
  type        = string
}

variable "account_ids" {
  description = "Only push events of these accounts; null for every account."
  type        = set(string)
  default     = null
}

variable "adopt_id" {
  description = "The id of an existing Lune webhook to adopt (from the webhooks_webhooks data source, or Lune's dashboard); null to create one."
  type        = string
  default     = null
}

import {
  for_each = var.adopt_id == null ? toset([]) : toset([var.adopt_id])
  to       = webhooks_webhook.this
  identity = {
    id = each.value
  }
}

resource "webhooks_webhook" "this" {
  url         = var.url
  account_ids = var.account_ids
}

output "id" {
  description = "The Lune webhook id."
  value       = webhooks_webhook.this.id
}
