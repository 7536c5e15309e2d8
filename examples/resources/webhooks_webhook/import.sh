# Import a Lune webhook by its id. Lune never returns the full signing secret after creation, so
# `secret` is null after import; change `secret_rotation_triggers` to rotate and store a new one.
terraform import webhooks_webhook.example 6Kq0c9kB1n8Xg2Lr4Tz7Vw3Yp5Hs1Dd0
