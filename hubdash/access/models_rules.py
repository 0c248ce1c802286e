"""Rules and bulk runs of the access app (filled by the access-bulk work; imported by models.py)."""
