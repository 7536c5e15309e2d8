# Every webhook of every vendor (Terraform 1.14+). include_resource = true returns each webhook's
# arguments too, which -generate-config-out needs. Terraform stops each list at 100 results unless
# limit says otherwise. Keep only the blocks of the vendors you use: a vendor without credentials
# fails its list.

list "webhooks_webhook" "lune" {
  provider         = webhooks
  include_resource = true
  limit            = 1000
}

list "webhooks_inveterate_webhook_subscription" "inveterate_subscriptions" {
  provider         = webhooks
  include_resource = true
  limit            = 1000
}

list "webhooks_inveterate_webhook" "inveterate_admin" {
  provider         = webhooks
  include_resource = true
  limit            = 1000
}

list "webhooks_partner_webhook" "blaze" {
  provider         = webhooks
  include_resource = true
  limit            = 1000
}
