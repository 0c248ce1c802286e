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

ADDED (jobs branch), beside the contract:

- Where a job's module lives: `<app>/jobs.py`, imported by the jobs app when Django loads (autodiscovery), so
  the scheduler, the workers and the jobs page all know every job.
- `periodic(name, every, label, capability=None)`: `every` is a timedelta, a callable giving one (read at each
  tick), or the name of a setting holding a timedelta or a number of minutes (e.g. "ACCESS_REFRESH_MINUTES"
  for HUBDASH_ACCESS_REFRESH_MINUTES); `capability` ("access", "usage", "discussions") makes the jobs page show
  whose token does the job in each namespace, and its pauses. Periods are aligned on the clock in UTC (a daily
  job's period starts at midnight UTC).
- `run_now(name, by=user) -> ScheduledRun`: while a run of the job waits to start or is under way, asking
  again returns it; a run whose job is already under way ends "skipped: the previous run is still going".
  A "Run now" row's period start is the moment asked; the unique constraint covers scheduled rows only.
- `run.state` ends done, failed or paused; the function's return value is the outcome line. A `Paused` that
  escapes the function marks the run paused; catch it per namespace to go on with the others. A HubError
  escaping is stored in plain words (tokens redacted); anything else as "an internal error (logged)".
- `unattended_client` raises the HubError itself (not Paused) when the Hub cannot answer the whoami (down,
  rate-limited): not knowing is no reason to pause; the run fails and is tried next period.
- `delegation.take_on(person, capability, namespace, replace=False)` / `give_up(...)`, `Held(holder)`.
- `Pacer.after_429(err)` sleeps the error's wait; `pacer.slept` is the seconds slept in all (for a summary).
- `hubdash.hub.rights.writable_namespaces(user)`: the one rule of which namespaces a person's token may
  change (repos' pages and delegations use it).
- URL names: "jobs" (the page, admins), "job-run-now" (POST), "jobs-delegation" (a person's own choices:
  a fragment for `hx-get`, a page for the `href`).
"""
