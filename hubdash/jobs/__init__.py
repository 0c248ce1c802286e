"""Scheduled jobs, which person's token does unattended work, and pacing by the Hub's quota.

INTERFACE (session 2026-12-07), the contract the capability apps build on:

    from hubdash.jobs.schedule import periodic
    @periodic("access.refresh", every=timedelta(minutes=5), label="Refresh access requests")
    def refresh(run: ScheduledRun) -> str: ...   # returns the outcome line shown on the jobs page

  The `scheduler` process (APScheduler) enqueues each period of each registered job once (a row unique on
  (job, period start)); the worker runs it; a failure is retried on the next period. `run_now(name)` enqueues
  one run at once ("Run now", "Refresh now").

    from hubdash.jobs.delegation import unattended_client, Paused
    user, client = unattended_client("access", "acme")   # raises Paused(reason), recorded for the jobs page

  A person says on their own profile "use my token for this team's <capability> in <namespace>"; at each run
  their rights are checked with the Hub (whoami); deactivated, no longer managing the namespace, token removed
  or rejected: the work for that namespace pauses with the reason until someone else takes it on.

    from hubdash.jobs.pacing import Pacer
    pacer = Pacer(client, reserve=...)   # one per Hub account; pacer.before_call() sleeps as the quota asks
"""
