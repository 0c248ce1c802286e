"""Usage over time: daily snapshots of the downloads, likes and storage of every repo of the namespaces an
admin watches, drawn on /usage/ and on each repo's Usage tab.

- `jobs.py`: the daily `usage.snapshot` job (the jobs app's `@periodic`, capability "usage"): per watched
  namespace, the token of the person who took it on (`unattended_client`), one Hub call per page of the
  list endpoints with `expand=` (`hub.usage.namespace_usage`) and the repositories-settings list where
  readable. `snapshot.take(day)` is the work, for one UTC date: it inserts only that day's missing rows.
- `series.py`: the figures over time from hubdash's database only (0 Hub calls), daily downloads as the
  difference of all-time downloads, a gap's sum marked; who may see a private repo's figures.
- `charts.py`: pygal SVG, stripped of its <style> and <script> (styled by static/css/usage.css: CSP-clean).
- URL names: "usage" (the page), "usage-settings" (admins), "usage-take-now" (POST, admins),
  "usage-setup-line" (the home page's fragment for admins), "usage-repo" (a repo's Usage tab, by
  kind/namespace/name), "usage-repo-csv", "usage-csv" (a namespace's CSV) and "usage-csv-team".
- `hubdash.core.row_figures` "trend": the listings' and saved views' trend column (trends.py), registered when
  the app loads; `hubdash.core.guardrails.register_facts`: a repo's last snapshot (downloads, gating,
  visibility), so that a change the Hub reports is judged without a Hub call where that is enough.
"""
