"""The job queue run in the test's own process, as `db_worker --batch` runs it (no signal handlers)."""

from __future__ import annotations


def run_jobs(worker_id: str = "test-worker") -> None:
    """Run every queued job, then return."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
