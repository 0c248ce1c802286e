"""Work on many repos at once: bulk plans (a preview, confirmation, approvals), their run as one paced job with
each repo's outcome, the journal of states before each change, and undo (issue 22).

Saved views and guardrails are the same app's other half (models_saved.py, urls_saved.py, templates/bulk/views/
and templates/bulk/guardrails/).

What other apps' pages use, by URL name only (they import nothing of bulk):

- "bulk-make-plan": POST `kind`, `action` ("visibility:private", "gating:manual", "discussions:off", "move:",
  "delete:"), `namespace` and `prefix` (a move), then either `repo` (repeated: "id|private 1/0|gating" as a
  listing row draws it) or `scope=all` with the listing's `search`, `author`, `filter`, `sort` (at most 1,000
  repos, the plan saying when more match), or `view=<saved view id>`. GET shows the same choice in a form that
  asks again (the listing's bar without JavaScript). Answers a redirect to the plan page ("bulk-plan").
- "bulk-approvals": the plans waiting for a second admin, a fragment for `hx-get` (the Team page), a page for
  the `href`; admins turn the setting on there ("bulk-approval-setting", two active admins at least).
- templates/bulk/_view_action_bar.html: "plan for all that match" for a saved view's page (`view` in context).

Modules: planning.py (selection → plan: now/after, skipped and why, calls, quota share, duration), flow.py
(confirm, approve/decline, expire, cancel, undo; feed events), runs.py (the django-tasks job: claim each item,
re-read, change, pace with jobs.pacing.Pacer, outcomes; stopped and started again), jobs.py (`bulk.expire`,
hourly; `bulk.stale`, each minute: runs whose worker went silent are stopped; pages only show these
states, computed), guard.py (guardrails through core's registry). Setting: HUBDASH_BULK_QUOTA_SHARE (percent of a
rate-limit window a run may use, default 90).
"""
