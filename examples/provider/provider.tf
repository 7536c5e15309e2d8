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
    api_key = var.lune_api_key # or LUNE_API_KEY, when null
  }

  inveterate = {
    api_key = var.inveterate_api_key # or INVETERATE_API_KEY, when null
  }

  blaze = {
    partner_key   = var.blaze_partner_key   # or BLAZE_PARTNER_KEY, when null
    developer_key = var.blaze_developer_key # or BLAZE_DEVELOPER_KEY, when null
  }

  max_retries     = 5     # retries of one request on 429, 5xx and broken connections
  request_timeout = "30s" # one HTTP attempt
}

# Set each key with TF_VAR_<name> (export TF_VAR_lune_api_key=...), or leave it unset: the variable
# is then null, and the provider reads the environment variable named beside the argument above.
variable "lune_api_key" {
  type      = string
  sensitive = true
  default   = null
}

variable "inveterate_api_key" {
  type      = string
  sensitive = true
  default   = null
}

variable "blaze_partner_key" {
  type      = string
  sensitive = true
  default   = null
}

variable "blaze_developer_key" {
  type      = string
  sensitive = true
  default   = null
}
