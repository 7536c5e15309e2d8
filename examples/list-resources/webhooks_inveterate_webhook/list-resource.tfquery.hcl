# Every Inveterate admin webhook of the merchant (Terraform 1.14+). This list takes no filter.
list "webhooks_inveterate_webhook" "admin" {
  provider         = webhooks
  include_resource = true
}
