"""Saved views and guardrails: the tables of the `bulk-views` branch (imported at the bottom of models.py)."""
