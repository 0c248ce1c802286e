"""The Team page's two forms, field by field: `{% load team_fields %}{% team_form_fields form %}`.

The same HTML as `_form_fields.html` and Django's widget templates give, written here: through the form
renderer, the seven fields (each widget a template, each option of a select an include) took an eighth
of the page's time. Django still decides every attribute (`required`, `maxlength`, `aria-describedby`,
`aria-invalid`, the id) and every value, by the widget's own `get_context`; only the markup is spelled out
here. A widget of another kind is rendered by Django as before. Every value is escaped as Django's
templates escape it (`conditional_escape`: a value already marked safe is kept as it is).
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_INPUTS = {f"django/forms/widgets/{kind}.html" for kind in ("text", "password", "email", "number", "url")}
_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"


def _e(value: Any) -> str:  # ints among the values, as in templates
    return str(conditional_escape(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: False leaves an attribute out, True writes its name alone."""
    return "".join(
        f" {_e(name)}" if value is True else f' {_e(name)}="{_e(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _widget(field: BoundField) -> str:
    """What `str(field)` gives (BoundField.as_widget), for text-like inputs and selects."""
    widget = field.field.widget
    if field.field.show_hidden_initial or (widget.template_name not in _INPUTS and widget.template_name != _SELECT):
        return str(field)
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if widget.template_name in _INPUTS:
        value = "" if context["value"] is None else f' value="{_e(context["value"])}"'
        return f'<input type="{_e(context["type"])}" name="{_e(context["name"])}"{value}{_attrs(context["attrs"])}>'
    return _select(context)


def _select(context: dict[str, Any]) -> str:
    out = [f'<select name="{_e(context["name"])}"{_attrs(context["attrs"])}>']
    for group_name, group_choices, _index in context["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_e(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                raise template.TemplateSyntaxError(f"team_form_fields: no markup for {option['template_name']}")
            value = _e(option["value"])
            out.append(f'\n  <option value="{value}"{_attrs(option["attrs"])}>{_e(option["label"])}</option>\n')
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


@register.simple_tag
def team_form_fields(form: forms.BaseForm) -> SafeString:
    """templates/_form_fields.html, whitespace and all."""
    out = []
    if errors := form.non_field_errors():
        out.append('\n<div class="form-errors" role="alert">')
        out.extend(f"<p>{_e(error)}</p>" for error in errors)
        out.append("</div>\n")
    out.append("\n")
    for field in form.visible_fields():
        help_text = (
            f'<div class="help" id="{_e(field.auto_id)}_helptext">{field.help_text}</div>' if field.help_text else ""
        )
        out.append(
            f'\n<div class="field{" has-error" if field.errors else ""}">\n'
            f'  <label for="{_e(field.id_for_label)}">{_e(field.label)}</label>\n'
            f"  {_widget(field)}\n"
            f"  {help_text}\n"
            "  " + "".join(f'<p class="error" role="alert">{_e(error)}</p>' for error in field.errors) + "\n</div>\n"
        )
    out.append("\n")
    out.extend(str(field) for field in form.hidden_fields())
    out.append("\n")
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped by _e or by Django)
