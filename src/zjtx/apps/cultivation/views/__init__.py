"""Cultivation pages, one small module per domain (pool, calendar, applications, plans, services,
ledger, targets)."""
