# The NEW_MEMBER webhooks of one BLAZE shop (Terraform 1.14+). Terraform stops at 100 results
# unless told otherwise: limit raises that, and BLAZE's pages are read only until it is reached.
list "webhooks_partner_webhook" "members" {
  provider         = webhooks
  include_resource = true
  limit            = 1000

  config {
    shop_id       = "65a1f0c2b3d4e5f607182931"
    web_hook_type = "NEW_MEMBER"
  }
}
