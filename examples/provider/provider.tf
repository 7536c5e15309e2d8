terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

# Every argument is optional and falls back to an environment variable; configure only the
# vendors whose resources you use.
provider "webhooks" {
  lune = {
    api_key = var.lune_api_key # or LUNE_API_KEY
  }

  inveterate = {
    api_key = var.inveterate_api_key # or INVETERATE_API_KEY
  }

  blaze = {
    partner_key   = var.blaze_partner_key   # or BLAZE_PARTNER_KEY
    developer_key = var.blaze_developer_key # or BLAZE_DEVELOPER_KEY
  }

  max_retries     = 5     # retries of one request on 429, 5xx and broken connections
  request_timeout = "30s" # one HTTP attempt
}

variable "lune_api_key" {
  type      = string
  sensitive = true
}

variable "inveterate_api_key" {
  type      = string
  sensitive = true
}

variable "blaze_partner_key" {
  type      = string
  sensitive = true
}

variable "blaze_developer_key" {
  type      = string
  sensitive = true
}
