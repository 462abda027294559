"""The audit trail: an append-only, HMAC-chained record of who touched which clinical record."""
