"""The access-request queue, a repo's Access tab, decisions, grants and the CSV export."""
