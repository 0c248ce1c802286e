from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Scheduled jobs, whose token does unattended work, and pacing by the Hub's quota."""

    name = "hubdash.jobs"
    label = "jobs"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Every app's `jobs.py` registers its periodic jobs (`@periodic`): the scheduler reads the registry to
        # enqueue them, the worker to run them, the jobs page to list them; all three load the apps.
        autodiscover_modules("jobs")
