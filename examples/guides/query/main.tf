# The configuration next to discover.tfquery.hcl: terraform query needs the provider declared and
# configured here. The provider reads its credentials from the environment (LUNE_API_KEY,
# INVETERATE_API_KEY, BLAZE_PARTNER_KEY, BLAZE_DEVELOPER_KEY, ...); see the provider page for
# every setting.
terraform {
  required_providers {
    webhooks = {
      source = "webhookinfra/webhooks"
    }
  }
}

provider "webhooks" {}
