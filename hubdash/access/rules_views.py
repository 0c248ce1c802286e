"""A namespace's rules: the ordered list, a rule's form, its dry run over the current pending requests, saving
(only what a dry run showed), moving, switching off and deleting. Only people who manage the namespace."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from hubdash import hub
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import hub_error_page
from hubdash.hub.rights import writable_namespaces

from .conditions import describe, skips_hidden
from .models import GatedRepo
from .models_rules import Rule
from .rules import active_rules, assign, matches, pending_for_rules
from .rules_forms import RuleForm, initial_of

DRY_RUN_SHOWN = 200  # rows listed by a dry run; the counts cover all


class NotManaged(Exception):
    pass


def _namespace_or_refusal(request: AuthedRequest, namespace: str) -> HttpResponse | None:
    try:
        allowed = writable_namespaces(request.user)
    except hub.HubError as err:
        return hub_error_page(request, err)
    if namespace not in allowed:
        return render(
            request,
            "access/rules/refused.html",
            {"namespace": namespace},
            status=403,
        )
    return None


def _rules(namespace: str) -> list[dict[str, Any]]:
    rules = Rule.objects.filter(namespace=namespace).select_related("repo").order_by("position", "id")
    return [
        {"rule": r, "conditions": [describe(c) for c in r.conditions], "skips_hidden": skips_hidden(r.conditions)}
        for r in rules
    ]


def _page(request: AuthedRequest, namespace: str, form: RuleForm, status: int = 200, **extra: Any) -> HttpResponse:
    context = {"namespace": namespace, "rules": _rules(namespace), "form": form, **extra}
    return render(request, "access/rules/rules.html", context, status=status)


@require_safe
def rules_page(request: AuthedRequest, namespace: str) -> HttpResponse:
    refusal = _namespace_or_refusal(request, namespace)
    if refusal is not None:
        return refusal
    return _page(request, namespace, RuleForm(namespace=namespace))


@require_safe
def rule_edit(request: AuthedRequest, namespace: str, rule_id: int) -> HttpResponse:
    refusal = _namespace_or_refusal(request, namespace)
    if refusal is not None:
        return refusal
    rule = get_object_or_404(Rule, pk=rule_id, namespace=namespace)
    return _page(request, namespace, RuleForm(namespace=namespace, initial=initial_of(rule)), editing=rule)


def _editing(namespace: str, request: AuthedRequest) -> Rule | None:
    raw = request.POST.get("rule_id", "")
    if not raw.isdigit():
        return None
    return get_object_or_404(Rule, pk=int(raw), namespace=namespace)


def _posted(request: AuthedRequest, namespace: str) -> HttpResponse | tuple[RuleForm, Rule | None]:
    """The posted rule form, valid, and the rule it edits; or the page to answer instead (a namespace the
    person may not manage, a form with errors, shown with what was typed)."""
    refusal = _namespace_or_refusal(request, namespace)
    if refusal is not None:
        return refusal
    editing = _editing(namespace, request)
    form = RuleForm(request.POST, namespace=namespace)
    if not form.is_valid():
        return _page(request, namespace, form, status=400, editing=editing)
    return form, editing


@require_POST
def rule_dry_run(request: AuthedRequest, namespace: str) -> HttpResponse:
    """What the rule would do to the current pending requests (from the mirror), with the form to save it."""
    posted = _posted(request, namespace)
    if isinstance(posted, HttpResponse):
        return posted
    form, editing = posted
    return _page(request, namespace, _with_proof(form, editing), editing=editing, dry_run=_dry_run(form, editing))


def _with_proof(form: RuleForm, editing: Rule | None) -> RuleForm:
    data = request_data(form)
    data["proof"] = form.proof_for(editing.pk if editing else None)
    proven = RuleForm(data, namespace=form.namespace)
    proven.is_valid()
    return proven


def request_data(form: RuleForm) -> QueryDict:
    data = form.data
    assert isinstance(data, QueryDict)
    return data.copy()


def _candidate(form: RuleForm, editing: Rule | None) -> Rule:
    d = form.rule_data()
    rule = Rule(
        pk=editing.pk if editing else -1,
        namespace=d["namespace"],
        name=d["name"],
        conditions=d["conditions"],
        action=d["action"],
        reason=d["reason"],
        position=editing.position if editing else 10**9,
    )
    rule.repo = GatedRepo.objects.filter(pk=d["repo"]).first() if d["repo"] else None
    return rule


def _dry_run(form: RuleForm, editing: Rule | None) -> dict[str, Any]:
    candidate = _candidate(form, editing)
    others = [r for r in active_rules(form.namespace) if not editing or r.pk != editing.pk]
    ordered = sorted([*others, candidate], key=lambda r: (r.position, r.pk if r.pk and r.pk > 0 else 10**12))
    rows = pending_for_rules(form.namespace)
    assignment = assign(ordered, rows)
    taken = assignment.of(candidate)
    earlier = [r for r in rows if matches(candidate, r) and r not in taken]
    return {
        "rule": candidate,
        "conditions": [describe(c) for c in candidate.conditions],
        "taken": taken[:DRY_RUN_SHOWN],
        "taken_count": len(taken),
        "earlier_count": len(earlier),
        "hidden_skipped": assignment.hidden_skipped.get(candidate.pk, 0),
        "pending_count": len(rows),
        "repos": len({r.repo_id for r in taken}),
    }


@require_POST
def rule_save(request: AuthedRequest, namespace: str) -> HttpResponse:
    """Save a rule exactly as its dry run showed it; anything else goes back to the dry run."""
    posted = _posted(request, namespace)
    if isinstance(posted, HttpResponse):
        return posted
    form, editing = posted
    if not form.proven(editing.pk if editing else None):
        return _page(
            request,
            namespace,
            form,
            status=400,
            editing=editing,
            needs_dry_run="Run the dry run first: it shows what this rule would do before it is saved.",
        )
    d = form.rule_data()
    repo = GatedRepo.objects.filter(pk=d["repo"], namespace=namespace).first() if d["repo"] else None
    with transaction.atomic():
        rule = editing or Rule(
            namespace=namespace,
            created_by=request.user,
            position=(Rule.objects.filter(namespace=namespace).aggregate(m=Max("position"))["m"] or 0) + 1,
        )
        rule.name, rule.repo, rule.conditions = d["name"], repo, d["conditions"]
        rule.action, rule.reason = d["action"], d["reason"]
        rule.updated_by, rule.updated_at = request.user, timezone.now()
        rule.save()
    messages.success(request, f"Saved the rule “{rule.name}”. It runs with the next refresh.")
    return redirect("access-rules", namespace=namespace)


@require_POST
def rule_move(request: AuthedRequest, namespace: str, rule_id: int) -> HttpResponse:
    refusal = _namespace_or_refusal(request, namespace)
    if refusal is not None:
        return refusal
    rule = get_object_or_404(Rule, pk=rule_id, namespace=namespace)
    rules = list(Rule.objects.filter(namespace=namespace).order_by("position", "id"))
    at = rules.index(rule)
    to = at - 1 if request.POST.get("direction") == "up" else at + 1
    if 0 <= to < len(rules):
        rules[at], rules[to] = rules[to], rules[at]
        with transaction.atomic():
            for position, r in enumerate(rules, start=1):
                if r.position != position:
                    Rule.objects.filter(pk=r.pk).update(position=position)
    return redirect("access-rules", namespace=namespace)


@require_POST
def rule_enabled(request: AuthedRequest, namespace: str, rule_id: int) -> HttpResponse:
    refusal = _namespace_or_refusal(request, namespace)
    if refusal is not None:
        return refusal
    rule = get_object_or_404(Rule, pk=rule_id, namespace=namespace)
    rule.enabled = request.POST.get("enabled") == "on"
    rule.save(update_fields=["enabled"])
    messages.success(request, f"The rule “{rule.name}” is {'on' if rule.enabled else 'off'}.")
    return redirect("access-rules", namespace=namespace)


@require_POST
def rule_delete(request: AuthedRequest, namespace: str, rule_id: int) -> HttpResponse:
    refusal = _namespace_or_refusal(request, namespace)
    if refusal is not None:
        return refusal
    rule = get_object_or_404(Rule, pk=rule_id, namespace=namespace)
    rule.delete()
    messages.success(request, f"Deleted the rule “{rule.name}”.")
    return redirect("access-rules", namespace=namespace)
