"""The Team page's add and invite forms: what was typed comes back escaped, with its errors, and the fields
are the same markup every other form of hubdash has (`_form_fields.html`)."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from hubdash.accounts.forms import PersonForm
from hubdash.team.team_forms import InviteForm
from hubdash.team.team_views import email_configured
from tests.pages import read

pytestmark = pytest.mark.django_db

MARKUP = '<img src=x onerror="alert(1)">'


def form_grids(page: str) -> list[str]:
    return re.findall(r'<div class="form-grid">(.*?)</div>\s*<button', page, flags=re.S)


def test_a_refused_person_comes_back_escaped_with_the_error_under_its_field(alice_client):
    response = alice_client.post(
        reverse("team-add"), {"username": MARKUP, "password1": "short", "password2": "other", "role": "admin"}
    )
    page = read(response)
    assert response.status_code == 400 and MARKUP not in page
    username = page.split('for="id_username"', 1)[1].split("</div>\n</div>", 1)[0]
    assert 'value="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"' in username
    assert 'aria-invalid="true"' in username and "aria-describedby=" in username
    assert 'role="alert">Enter a valid username.' in username
    assert '<option value="admin" selected>Admin</option>' in page.split('action="/team/add/"', 1)[1]


@pytest.mark.parametrize("can_email", [False, True])
def test_the_forms_are_the_markup_of_every_other_form(alice_client, settings, can_email):
    settings.EMAIL_HOST = ""
    settings.EMAIL_BACKEND = f"django.core.mail.backends.{'locmem' if can_email else 'smtp'}.EmailBackend"
    invite, add = form_grids(read(alice_client.get(reverse("team"))))
    assert invite == render_to_string("_form_fields.html", {"form": InviteForm(can_email=can_email)})
    assert add == render_to_string("_form_fields.html", {"form": PersonForm()})
    assert ('name="email"' in invite) is can_email


def test_refused_forms_are_the_markup_of_every_other_form(alice_client):
    data = {"role": "owner", "valid_days": "36500", "note": MARKUP * 20}
    invite, _ = form_grids(read(alice_client.post(reverse("team-invite"), data)))
    form = InviteForm(data, can_email=email_configured())
    assert not form.is_valid()
    assert invite == render_to_string("_form_fields.html", {"form": form})
    assert MARKUP not in invite and "Ensure this value has at most 100 characters" in invite
