"""Where a browse page's CPU goes: cProfile of the view in-process, the Hub's answers already cached.

    python -m tests.bench.profile_browse [--path /models/] [--requests 200] [--top 30] [--cold]

Django's test client through the whole middleware stack, signed in with the demo account against
hubsim (demo world); the page is asked once to fill the cache, then profiled over many requests.
With --cold, every request is a listing query not asked before (as the browse bench's cold run), and
the Hub calls run in the request's own thread so that the profile sees their parsing and caching.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

from tests.bench.pages import free_port
from tests.demo import USERNAME, prepare_account, start_hubsim
from tests.scratch import scratch_dir


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", default="/models/")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key: cumulative or tottime")
    parser.add_argument("--cold", action="store_true", help="a new listing query every request")
    parser.add_argument("--callers", default="", help="also print who calls functions matching this")
    parser.add_argument("--members", type=int, default=0, help="first add this many people with tokens (Team page)")
    parser.add_argument("--plain", action="store_true", help="time the requests without cProfile (for A/B runs)")
    parser.add_argument("--phases", action="store_true", help="with --plain: CPU of each phase of a listing page")
    args = parser.parse_args()
    port = free_port()
    hubsim, _ = start_hubsim(port)
    try:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.bench.settings",
            HF_ENDPOINT=f"http://127.0.0.1:{port}",
            HUBDASH_VAR_DIR=scratch_dir("hubdash-profile-"),
            HUBDASH_DEBUG="false",
            HUBDASH_LOG_LEVEL="WARNING",
            HF_HUB_DISABLE_XET="1",
        )
        prepare_account(env)
        os.environ.update(env)
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.test import Client

        if args.members:
            from hubdash import hub
            from tests.demo import DEMO_TOKEN

            for n in range(args.members):
                member, _ = get_user_model().objects.get_or_create(username=f"member{n:02d}")
                hub.connect_token(member, DEMO_TOKEN)
        client = Client(HTTP_HOST="localhost")
        client.force_login(get_user_model().objects.get(username=USERNAME))
        first = client.get(args.path)
        if first.status_code != 200:
            sys.exit(f"{args.path} answered {first.status_code}")
        client.get(args.path)  # templates compiled, cache filled
        paths = [args.path] * args.requests
        if args.cold:
            paths = cold_paths(port, args.requests + 1)
            client.get(paths.pop())  # the tag vocabulary cached, as after the first listing of a period
            _run_hub_calls_inline()
        if args.plain:
            phases = _timed_phases() if args.phases else {}
            began = time.process_time()
            for path in paths:
                client.get(path)
            cpu = time.process_time() - began
            print(f"{args.path}: {cpu / args.requests * 1000:.2f} ms CPU per request ({args.requests} requests)")
            for name, spent in phases.items():
                print(f"  {name:45s} {spent[0] / args.requests * 1000:6.2f} ms per request ({spent[1]} calls)")
            return
        profile = cProfile.Profile()
        began = time.process_time()
        profile.enable()
        for path in paths:
            client.get(path)
        profile.disable()
        cpu = time.process_time() - began
        print(f"{args.path}: {cpu / args.requests * 1000:.1f} ms CPU per request under cProfile "
              f"({args.requests} requests, {len(first.content) / 1024:.0f} KiB each)\n")  # fmt: skip
        stats = pstats.Stats(profile).strip_dirs().sort_stats(args.sort)
        stats.print_stats(args.top)
        if args.callers:
            stats.print_callers(args.callers)
    finally:
        hubsim.terminate()
        hubsim.wait(timeout=10)


def cold_paths(port: int, n: int) -> list[str]:
    from huggingface_hub import HfApi

    from tests.bench.browse import ColdQueries, search_terms

    model_ids = [m.id for m in HfApi(endpoint=f"http://127.0.0.1:{port}").list_models(limit=1000)]
    paths = ColdQueries(search_terms(model_ids), model_ids).take(n)
    if len(paths) < n:
        sys.exit(f"only {len(paths)} cold queries in the demo world; ask for fewer requests")
    return paths


def _timed_phases() -> dict[str, list[float]]:
    """Wrap the listing view's parts to add up their CPU (this thread's), without cProfile's distortion."""
    import importlib

    targets = {
        "person_client": ("hubdash.repos.views", "person_client"),
        "writable_namespaces": ("hubdash.repos.views", "writable_namespaces"),
        "shell_parts (page key)": ("hubdash.repos.views", "shell_parts"),
        "ListingForm": ("hubdash.repos.forms", "ListingForm.__init__"),
        "Hub listing call (fetch, parse, cache)": ("hubdash.hub.repos", "list_repos"),
        "tag vocabulary": ("hubdash.hub.repos", "tag_vocabulary"),
        "_ask_hub (both calls, facets)": ("hubdash.repos.views", "_ask_hub"),
        "results region (render_to_string)": ("hubdash.repos.views", "render_to_string"),
        "page (render)": ("hubdash.repos.views", "render"),
        "cached_identity (all callers)": ("hubdash.hub.tokens", "cached_identity"),
        "account_for (shell)": ("hubdash.accounts.account_menu", "account_for"),
        "httpx send": ("httpx2", "Client.send"),
        "httpx build_request": ("httpx2", "Client.build_request"),
        "file cache set": ("hubdash.core.filecache", "OccasionallyCulledFileCache.set"),
        "file cache get": ("hubdash.core.filecache", "OccasionallyCulledFileCache.get"),
        "parse.listing": ("hubdash.hub.parse", "listing"),
        "session load": ("django.contrib.sessions.backends.cached_db", "SessionStore.load"),
        "auth get_user": ("django.contrib.auth", "get_user"),
    }
    spent: dict[str, list[float]] = {}
    for name, (module_name, attr) in targets.items():
        module = importlib.import_module(module_name)
        owner_name, _, attr = attr.rpartition(".")
        if owner_name:
            module = getattr(module, owner_name)
        original = getattr(module, attr)
        spent[name] = [0.0, 0]

        def timed(*args, _original=original, _slot=spent[name], **kwargs):  # type: ignore[no-untyped-def]
            began = time.thread_time()
            try:
                return _original(*args, **kwargs)
            finally:
                _slot[0] += time.thread_time() - began
                _slot[1] += 1

        setattr(module, attr, timed)
    return spent


def _run_hub_calls_inline() -> None:
    """cProfile sees one thread: run the page's Hub calls in it instead of the pool's threads."""
    from concurrent.futures import Future

    from hubdash.hub import repos as hub_repos

    class Inline:
        def submit(self, call, *args, **kwargs):  # type: ignore[no-untyped-def]
            future: Future = Future()
            try:
                future.set_result(call(*args, **kwargs))
            except BaseException as err:  # handed to the caller, as the pool would
                future.set_exception(err)
            return future

    hub_repos._pool = Inline()  # type: ignore[assignment]


if __name__ == "__main__":
    main()
