# Two teams use one shared module (./modules/lune-webhook). The orders team's webhook already exists
# at Lune and is adopted by identity from inside the module; the refunds team's is created.
# Terraform 1.16 and later (import blocks in modules).
terraform {
  required_version = ">= 1.16"
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

provider "webhooks" {}

module "orders" {
  source   = "./modules/lune-webhook"
  url      = "https://hooks.example.com/lune/orders"
  adopt_id = "6Kq0c9kB1n8Xg2Lr4Tz7Vw3Yp5Hs1Dd0"
}

module "refunds" {
  source = "./modules/lune-webhook"
  url    = "https://hooks.example.com/lune/refunds"
}

output "webhook_ids" {
  value = {
    orders  = module.orders.id
    refunds = module.refunds.id
  }
}
