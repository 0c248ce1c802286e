"""The upload form: files with their paths in the repo, a branch, a commit message, or a pull request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from hubdash.hub.repos import valid_revision
from hubdash.hub.upload import path_problem


class UploadForm(forms.Form):
    """`files` (several) and `path` (one per file, or one folder ending in / for all) come as lists."""

    branch = forms.CharField(label="Branch", initial="main", max_length=200)
    message = forms.CharField(label="Commit message", max_length=300, required=False)
    description = forms.CharField(label="Description", max_length=5000, required=False, widget=forms.Textarea)
    create_pr = forms.BooleanField(label="Open a pull request instead of committing to the branch", required=False)

    def __init__(
        self,
        *args: Any,
        files_list: list[UploadedFile[bytes]] | None = None,
        paths: list[str] | None = None,
        max_bytes: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.files_list = files_list or []
        self.paths = [p.strip() for p in paths or []]
        self.max_bytes = max_bytes
        self.entries: list[tuple[UploadedFile[bytes], str]] = []
        self.path_errors: list[str] = []

    def clean_branch(self) -> str:
        branch: str = self.cleaned_data["branch"].strip()
        if not valid_revision(branch) or branch.startswith("refs/"):
            raise forms.ValidationError("Not a branch name the Hub accepts.")
        return branch

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.files_list:
            self.add_error(None, "Choose at least one file.")
            return data
        if len(self.paths) > 1 and len(self.paths) != len(self.files_list):
            self.add_error(None, "Give one path per file (or one folder ending in / for all of them).")
            return data
        self.entries = list(zip(self.files_list, self._destinations(), strict=True))
        self.path_errors = self._refusals()
        if self.path_errors:
            self.add_error(None, "Some paths would be refused by the Hub; nothing was uploaded.")
        if not data.get("message"):
            names = [path for _, path in self.entries]
            data["message"] = f"Upload {names[0]}" if len(names) == 1 else f"Upload {len(names)} files"
        return data

    def _destinations(self) -> list[str]:
        """Each file's path in the repo: all in one folder (one path ending in /, or one path for several
        files), or a path per file, where a path ending in / keeps the file's own name."""
        paths = self.paths
        folder = paths[0] if len(paths) == 1 and (paths[0].endswith("/") or len(self.files_list) > 1) else None
        if folder is not None and not folder.endswith("/"):
            folder += "/"
        destinations = []
        for n, upload in enumerate(self.files_list):
            name = (upload.name or "").rsplit("/", 1)[-1]
            given = folder if folder is not None else (paths[n] if n < len(paths) else "")
            destinations.append(given + name if (not given or given.endswith("/")) else given)
        return destinations

    def _refusals(self) -> list[str]:
        """What the Hub would refuse, path by path: its path rules, two files on one path, the size limit."""
        refusals: list[str] = []
        seen: set[str] = set()
        for upload, path in self.entries:
            problem = path_problem(path)
            if problem is None and path in seen:
                problem = "Two files would have the same path."
            if problem is None and self.max_bytes and (upload.size or 0) > self.max_bytes:
                problem = f"Larger than the limit of {filesizeformat(self.max_bytes)} per file."
            if problem:
                refusals.append(f"{path or '(empty)'}: {problem}")
            seen.add(path)
        return refusals
