"""The discussions inbox: every open or draft discussion and pull request on the watched namespaces' repos.

- `models.py`: the mirror (one `Discussion` row per repo item, the repos read, the watched namespaces).
- `mirror.py`: rows from the Hub's answers (`record_details`, `record_listing`); pages read only these rows.
- `jobs.py`: the first fill and the hourly paced refresh of uncovered namespaces (`@periodic`, capability
  "discussions", run with the token a person lent on their profile).
- `views.py`: the inbox `/discussions/`, its nav count, a repo's Discussions tab, the admins' settings.
- `hooks.py`: a stored webhook delivery about a discussion updates its row (at most one Hub call).
"""
