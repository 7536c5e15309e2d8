#!/usr/bin/env bash
# One request per API surface of the sandbox, with the headers each vendor requires. Run it with
# the sandbox's variables exported: set -a; . ./sandbox.env; set +a
set -euo pipefail

# Lune: the API key as a Bearer token, and the API version. The create answer carries the full
# signing secret, the only answer that does (reads show its last 4 characters).
curl -sS --fail-with-body -X POST "$LUNE_BASE_URL/v1/webhooks" \
  -H "Authorization: Bearer $LUNE_API_KEY" \
  -H "Lune-Version: 2024-08-08" \
  -H "Content-Type: application/json" \
  -d '{"url": "https://hooks.example.com/lune/orders"}'
echo

# Inveterate webhook subscription: the private key in X-Inveterate-Api-Key. 201 means accepted:
# the subscription is listed a moment later (-visibility-delay).
curl -sS --fail-with-body -X POST "$INVETERATE_BASE_URL/v2.0/admin/webhook-subscriptions" \
  -H "X-Inveterate-Api-Key: $INVETERATE_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"topic": "customer.updated", "callbackUrl": "https://hooks.example.com/inveterate/customers", "name": "customers"}'
echo

# Inveterate admin webhook: the create answer carries the security token, the only answer that does.
curl -sS --fail-with-body -X POST "$INVETERATE_BASE_URL/v2.0/admin/webhooks" \
  -H "X-Inveterate-Api-Key: $INVETERATE_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{"callbackUrl": "https://hooks.example.com/inveterate/admin", "name": "admin"}'
echo

# BLAZE: the partner key in x-api-key and the developer key, as is (no "Bearer"), in Authorization.
curl -sS --fail-with-body -X POST "$BLAZE_BASE_URL/api/v1/partner/webHooks" \
  -H "x-api-key: $BLAZE_PARTNER_KEY" \
  -H "Authorization: $BLAZE_DEVELOPER_KEY" \
  -H "Content-Type: application/json" \
  -d '{"webHookType": "NEW_MEMBER", "webHookUrls": ["https://hooks.example.com/blaze/members"]}'
echo

# Lists, to see what is there.
curl -sS --fail-with-body "$LUNE_BASE_URL/v1/webhooks" -H "Authorization: Bearer $LUNE_API_KEY" -H "Lune-Version: 2024-08-08"
echo
curl -sS --fail-with-body "$INVETERATE_BASE_URL/v2.0/admin/webhook-subscriptions" -H "X-Inveterate-Api-Key: $INVETERATE_API_KEY"
echo
curl -sS --fail-with-body "$INVETERATE_BASE_URL/v2.0/admin/webhooks" -H "X-Inveterate-Api-Key: $INVETERATE_API_KEY"
echo
curl -sS --fail-with-body "$BLAZE_BASE_URL/api/v1/partner/webHooks?start=0&limit=100" \
  -H "x-api-key: $BLAZE_PARTNER_KEY" -H "Authorization: $BLAZE_DEVELOPER_KEY"
echo
