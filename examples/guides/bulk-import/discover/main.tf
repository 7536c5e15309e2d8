# Discovery: lists the webhooks of every vendor and writes, as the output "adopt", the ones that no
# configuration manages yet, frozen with the values the vendors report. It only reads: it has no
# resources, and applying it changes nothing at the vendors. Run it once per adoption, then keep
# what it wrote next to the configuration that manages the webhooks (../webhooks).
#
# The provider reads its credentials from the environment (LUNE_API_KEY, INVETERATE_API_KEY,
# BLAZE_PARTNER_KEY, BLAZE_DEVELOPER_KEY, ...). Configure only the vendors you use: drop the others'
# data sources and their entries in the output.
terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

provider "webhooks" {}

variable "managing_states" {
  description = "State files of the configurations that already manage webhooks, each with an output webhook_ids listing them: their webhooks are never offered for adoption."
  type        = list(string)
  default     = []
}

variable "exclude_ids" {
  description = "Ids of webhooks never to adopt, for example ones released from Terraform on purpose."
  type        = set(string)
  default     = []
}

# Local state files here; for another backend (s3, remote, ...) change backend and config.
data "terraform_remote_state" "managing" {
  for_each = toset(var.managing_states)
  backend  = "local"
  config = {
    path = each.value
  }

  lifecycle {
    postcondition {
      condition     = can(tolist(self.outputs.webhook_ids))
      error_message = "The state ${each.value} has no output webhook_ids: add one to its configuration that lists the ids of every webhook it manages, and apply it, so that discovery can leave them out."
    }
  }
}

locals {
  managed = setunion(var.exclude_ids, flatten([for s in data.terraform_remote_state.managing : s.outputs.webhook_ids]))
}

data "webhooks_webhooks" "existing" {}

data "webhooks_inveterate_webhook_subscriptions" "existing" {}

data "webhooks_inveterate_webhooks" "existing" {}

data "webhooks_partner_webhooks" "existing" {}

# terraform output -json adopt > ../webhooks/adopted.json
output "adopt" {
  description = "The webhooks no configuration manages yet, keyed by id, with the arguments of their resources."
  value = {
    lune_webhooks = {
      for w in data.webhooks_webhooks.existing.webhooks : w.id => {
        url         = w.url
        enabled     = w.enabled
        account_ids = w.account_ids
      } if !contains(local.managed, w.id)
    }
    inveterate_webhook_subscriptions = {
      for s in data.webhooks_inveterate_webhook_subscriptions.existing.subscriptions : s.id => {
        topic        = s.topic
        callback_url = s.callback_url
        name         = s.name
      } if !contains(local.managed, s.id)
    }
    inveterate_webhooks = {
      for w in data.webhooks_inveterate_webhooks.existing.webhooks : w.id => {
        callback_url = w.callback_url
        name         = w.name
      } if !contains(local.managed, w.id)
    }
    partner_webhooks = {
      for w in data.webhooks_partner_webhooks.existing.partner_webhooks : w.id => {
        web_hook_type = w.web_hook_type
        web_hook_urls = w.web_hook_urls
        url           = w.url
        shop_id       = w.shop_id
      } if !contains(local.managed, w.id)
    }
  }
}
