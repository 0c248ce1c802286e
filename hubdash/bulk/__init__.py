"""Work on many repos at once: bulk plans (a preview, confirmation, approvals), their run as one paced job with
each repo's outcome, the journal of states before each change, and undo (issue 22).

Saved views and guardrails are the same app's other half (models_saved.py, urls_saved.py, templates/bulk/views/
and templates/bulk/guardrails/).
"""
