"""Cards in the panel: the list, one card (fields, moves, comments, attachments, history) and file downloads.

Every rule is core's — who sees a card, who moves it where, which field is editable, how big a file may be — and
these handlers only read forms, call core and render. A card the user may not see answers 404, exactly like a
missing one.
"""

from __future__ import annotations

import asyncio
import mimetypes
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp_session import get_session

from core import card_views, formatting, guards, lines, pipelines
from core.attachments import AttachmentError, attachment_path, card_attachments, store_attachment
from core.fields import FieldSpec, field_titles, is_empty, schema_of, stored_datetime
from core.i18n import translator
from core.permissions import Actor, Denied, may
from models import Attachment, Card, CardLine, Comment, Customer, Pipeline, ReferenceRow, Staff, Transition
from webadmin.guards import permission_required
from webadmin.keys import SETTINGS
from webadmin.render import render, request_locale, see_other, set_nav
from webadmin.session import flash

PAGE_SIZE = 25
FIELD_PREFIX = "f."
UPLOAD_ROUTE = "card_attach"
# Room for the form's other parts (CSRF token, boundaries, headers) on top of the file itself.
UPLOAD_OVERHEAD = 64 * 1024
# Shown in the page (thumbnails) and served inline; anything else is only ever downloaded.
INLINE_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# core refusal reason -> (Fluent message id, HTTP status of the re-rendered card)
CARD_ERRORS = {
    "card_changed": ("web-card-error-changed", 409),
    "transition_unavailable": ("web-card-error-transition", 409),
    "reason_required": ("web-card-error-reason", 400),
    "fields_missing": ("web-card-error-fields-missing", 400),
    "invalid_fields": ("web-card-error-fields-invalid", 400),
    "empty_comment": ("web-card-error-empty-comment", 400),
    "forbidden": ("web-card-error-forbidden", 403),
    "guard": ("web-card-error-guard", 409),
}
# core.fields / clean_fields reason -> Fluent message id, shown beside the field
FIELD_ERRORS = {
    "not_editable": "web-field-error-not-editable",
    "unknown_field": "web-field-error-unknown",
    "invalid": "web-field-error-invalid",
    "invalid_phone": "web-field-error-phone",
    "unknown_choice": "web-field-error-choice",
}
# core.attachments reason (and the panel's own "no_file") -> (Fluent message id, HTTP status)
ATTACH_ERRORS = {
    "too_big": ("web-attach-error-too-big", 413),
    "no_file": ("web-attach-error-no-file", 400),
    "empty": ("web-attach-error-empty", 400),
    "kind": ("web-attach-error-kind", 400),
}


def _id(request: web.Request, name: str = "id") -> int:
    return int(request.match_info[name])


def _settings(request: web.Request):
    return request.config_dict[SETTINGS]


# --- formatting ---------------------------------------------------------------------------------------------------


def format_size(size: int, locale: str) -> str:
    t = translator(locale)
    if size < 1024:
        return t("web-size-b", count=size)
    if size < 1024 * 1024:
        return t("web-size-kb", count=formatting.number(round(size / 1024, 1), locale))
    return t("web-size-mb", count=formatting.number(round(size / 1024 / 1024, 1), locale))


@dataclass
class FieldRow:
    """One custom field of a card as the page shows it: read-only text, or an input when the user may edit it."""

    spec: FieldSpec
    title: str
    display: str
    value: str
    editable: bool
    options: list[tuple[str, str]] = field(default_factory=list)
    href: str | None = None
    error: str | None = None

    @property
    def name(self) -> str:
        return FIELD_PREFIX + self.spec.key


@dataclass
class FieldContext:
    locale: str
    currency: str
    zone: tzinfo
    t: Any
    rows_by_reference: dict[str, list[ReferenceRow]]
    attachments: dict[int, Attachment]


def _input_value(spec: FieldSpec, raw: Any, ctx: FieldContext) -> str:
    """What the field's input holds for the stored value (and what an unchanged form posts back)."""
    if is_empty(raw):
        return ""
    if spec.type == "boolean":
        return "1" if raw is True else "0"
    if spec.type == "datetime":
        # A datetime-local input holds the business's wall-clock time; what it posts back is read in that zone.
        try:
            moment = formatting.local_time(stored_datetime(raw, ctx.zone), ctx.zone)
        except ValueError:
            return str(raw)
        return moment.strftime("%Y-%m-%dT%H:%M")
    if spec.type == "link":
        for row in ctx.rows_by_reference.get(spec.reference or "", []):
            if row.id == raw:
                return row.key
    return str(raw)


def _display(spec: FieldSpec, raw: Any, ctx: FieldContext) -> tuple[str, str | None]:
    """The stored value as a person of this locale reads it (and a link, for files)."""
    if is_empty(raw):
        return "", None
    formatted = formatting.field_text(spec.type, raw, ctx.locale, currency=ctx.currency, zone=ctx.zone)
    if formatted is not None:
        return formatted, None
    try:
        if spec.type == "boolean":
            return ctx.t("web-yes") if raw is True else ctx.t("web-no"), None
        if spec.type in ("choice", "link"):
            for row in ctx.rows_by_reference.get(spec.reference or "", []):
                if (spec.type == "choice" and row.key == raw) or (spec.type == "link" and row.id == raw):
                    return row.title(ctx.locale), None
        if spec.type == "file":
            attachment = ctx.attachments.get(int(raw))
            if attachment is not None:
                return attachment.name or f"#{attachment.id}", f"/attachments/{attachment.id}?download=1"
    except (ValueError, ArithmeticError, TypeError):
        pass  # a value stored by hand or by an old pack version: shown as it is
    return str(raw), None


def _options(spec: FieldSpec, ctx: FieldContext) -> list[tuple[str, str]]:
    if spec.type in ("choice", "link"):
        return [(row.key, row.title(ctx.locale)) for row in ctx.rows_by_reference.get(spec.reference or "", [])]
    if spec.type == "boolean":
        return [("1", ctx.t("web-yes")), ("0", ctx.t("web-no"))]
    if spec.type == "file":
        return [(str(a.id), a.name or f"#{a.id}") for a in ctx.attachments.values()]
    return []


async def _field_context(request: web.Request, card: Card, attachments: list[Attachment]) -> FieldContext:
    settings = _settings(request)
    locale = await request_locale(request)
    specs = schema_of(card.pipeline.field_schema).values()
    references = {spec.reference for spec in specs if spec.reference and spec.type in ("choice", "link")}
    rows: dict[str, list[ReferenceRow]] = {}
    if references:
        for row in await ReferenceRow.filter(reference__key__in=list(references), active=True).order_by(
                "position", "id").select_related("reference"):
            rows.setdefault(row.reference.key, []).append(row)
    return FieldContext(
        locale=locale, currency=settings.crm.currency, zone=settings.i18n.zone,
        t=translator(locale), rows_by_reference=rows, attachments={a.id: a for a in attachments},
    )


def field_rows(actor: Actor, card: Card, ctx: FieldContext, *, may_edit: bool,
               posted: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> list[FieldRow]:
    """Every field of the card's pipeline in schema order; editable per core.pipelines.may_edit_field."""
    rows = []
    for spec in schema_of(card.pipeline.field_schema).values():
        raw = card.fields_data.get(spec.key)
        display, href = _display(spec, raw, ctx)
        value = _input_value(spec, raw, ctx)
        if posted is not None and spec.key in posted:
            value = posted[spec.key]
        reason = (errors or {}).get(spec.key)
        rows.append(FieldRow(
            spec=spec, title=spec.title(ctx.locale), display=display, value=value,
            editable=may_edit and pipelines.may_edit_field(actor, spec, card.stage),
            options=_options(spec, ctx), href=href,
            error=FIELD_ERRORS.get(reason, "web-field-error-invalid") if reason else None,
        ))
    return rows


# --- the list -----------------------------------------------------------------------------------------------------


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


@permission_required("card.view")
async def cards_page(request: web.Request, actor: Actor) -> web.StreamResponse:
    set_nav(request, "cards")
    locale = await request_locale(request)
    pipelines_ = list(await Pipeline.filter(active=True).order_by("id"))
    known = {pipeline.key for pipeline in pipelines_}
    pipeline_key = request.query.get("pipeline", "")
    pipeline_key = pipeline_key if pipeline_key in known else ""
    show_all = request.query.get("state") == "all"
    page = _page_number(request.query.get("page"))
    cards, total = await pipelines.list_cards(actor, pipeline_key=pipeline_key or None, open_only=not show_all,
                                              offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    people_ids = {card.assignee_id for card in cards if card.assignee_id}
    people = {person.id: person for person in await Staff.filter(id__in=list(people_ids))} if people_ids else {}

    def link(**changes: Any) -> str:
        params = {"pipeline": pipeline_key, "state": "all" if show_all else "", "page": page, **changes}
        query = {key: value for key, value in params.items() if value not in ("", None, 1)}
        return "/cards" + (f"?{urlencode(query)}" if query else "")

    rows = [{
        "card": card,
        "number": pipelines.card_number(card),
        "stage": card.stage.title(locale),
        "stage_kind": card.stage.kind,
        "pipeline": card.pipeline.title(locale),
        "customer": card.customer.name if card.customer else "",
        "assignee": people[card.assignee_id].name if card.assignee_id in people else "",
    } for card in cards]
    return await render(request, "cards.html", {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": pages,
        "pipelines": [(pipeline.key, pipeline.title(locale)) for pipeline in pipelines_],
        "pipeline_key": pipeline_key,
        "show_all": show_all,
        "prev_url": link(page=page - 1) if page > 1 else None,
        "next_url": link(page=page + 1) if page < pages else None,
    })


# --- one card -----------------------------------------------------------------------------------------------------


@dataclass
class PageState:
    """What a re-rendered card page keeps from the refused form."""

    error: tuple[str, dict[str, Any]] | None = None
    status: int = 200
    posted_fields: dict[str, str] | None = None
    field_errors: dict[str, str] | None = None
    open_transition: str | None = None
    reason: str = ""
    comment: str = ""


async def _card_page(request: web.Request, actor: Actor, card_id: int, state: PageState | None = None
                     ) -> web.StreamResponse:
    state = state or PageState()
    set_nav(request, "cards")
    locale = await request_locale(request)
    try:
        view = await card_views.card_view(actor, card_id)
    except pipelines.CardError as exc:
        raise web.HTTPNotFound() from exc
    card = view.card
    attachments = await card_attachments(card.id)
    ctx = await _field_context(request, card, attachments)
    may_edit = await may(actor, "card.edit", card)
    rows = field_rows(actor, card, ctx, may_edit=may_edit, posted=state.posted_fields, errors=state.field_errors)
    comments = await Comment.filter(card_id=card.id).order_by("id").select_related("author")
    history = await pipelines.card_history(actor, card.id)
    labels = {t.key: t.label(locale) for t in await Transition.filter(pipeline_id=card.pipeline_id)}
    customer: Customer | None = card.customer
    # What still has to be filled in before the card may leave this stage.
    missing = [key for key in card.stage.required_fields if is_empty(card.fields_data.get(key))]
    required = list(field_titles(card.pipeline.field_schema, missing, locale).values())
    return await render(request, "card.html", {
        "card": card,
        "number": view.number,
        "pipeline_title": card.pipeline.title(locale),
        "stage_title": card.stage.title(locale),
        "transitions": [{"key": t.key, "label": t.label(locale), "reason": t.reason_required}
                        for t in view.transitions],
        "fields": rows,
        "editable_any": any(row.editable for row in rows),
        "required": required,
        "customer": customer,
        "customer_link": customer is not None and await may(actor, "customer.view", customer),
        "may_comment": await may(actor, "card.comment", card),
        "may_attach": await may(actor, "card.attach", card),
        "comments": comments,
        "attachments": [{
            "item": a,
            "inline": a.mime in INLINE_IMAGES and bool(a.path),
            "size": format_size(a.size, locale),
            "downloadable": bool(a.path),
        } for a in attachments],
        "history": [_history_row(row, locale, labels) for row in history],
        "lines": [_line_row(line, locale) for line in view.lines],
        "totals": _totals_row(view.totals, locale),
        "links": [{"title": link.title(locale), "other": link.other,
                   "number": pipelines.card_number(link.other) if link.other else None} for link in view.links],
        "max_upload_mb": _settings(request).storage.max_upload_mb,
        "error": state.error,
        "open_transition": state.open_transition,
        "reason": state.reason,
        "comment": state.comment,
    }, status=state.status)


def _line_row(line: CardLine, locale: str) -> dict[str, Any]:
    amount = lines.amounts(line).price
    return {
        "line": line,
        "quantity": formatting.quantity(line.quantity, locale),
        "price": formatting.money(line.unit_price, line.currency, locale) if line.unit_price is not None else "—",
        "sum": formatting.money(amount, line.currency, locale) if line.unit_price is not None else "—",
    }


def _totals_row(totals: lines.Totals | None, locale: str) -> dict[str, Any] | None:
    if totals is None:
        return None
    def money(amount: Decimal) -> str:
        return formatting.money(amount, totals.currency, locale)

    return {"price": money(totals.all.price), "cost": money(totals.all.cost), "margin": money(totals.all.margin),
            "pending": totals.pending, "approved": totals.approved, "declined": totals.declined}


def _history_row(row, locale: str, labels: dict[str, str]) -> dict[str, Any]:
    target = row.to_stage.title(locale)
    label = labels.get(row.transition_key or "", "")
    return {
        "row": row,
        "from": row.from_stage.title(locale) if row.from_stage else None,
        "to": target,
        # The button's words, when they say more than the stage's name ("Send back", not "Reject" → "Lost").
        "label": label if label.casefold() != target.casefold() else "",
    }


def _card_error(exc: pipelines.CardError, locale_titles: dict[str, str],
                locale: str) -> tuple[tuple[str, dict[str, Any]], int]:
    key, status = CARD_ERRORS.get(exc.reason, ("web-form-bad-input", 400))
    args: dict[str, Any] = {}
    if exc.reason == "fields_missing":
        args["name"] = ", ".join(locale_titles.get(name, name) for name in exc.details.get("fields", []))
    if exc.reason == "guard":
        args["rule"] = guards.describe(exc.details["refusal"], locale)
    return (key, args), status


async def _field_titles(request: web.Request, card_id: int) -> dict[str, str]:
    locale = await request_locale(request)
    card = await Card.get_or_none(id=card_id).select_related("pipeline")
    if card is None:
        return {}
    return field_titles(card.pipeline.field_schema, [spec["key"] for spec in card.pipeline.field_schema], locale)


def _version(form) -> int | None:
    try:
        return int(str(form.get("version", "")))
    except ValueError:
        return None


@permission_required("card.view")
async def card_page(request: web.Request, actor: Actor) -> web.StreamResponse:
    return await _card_page(request, actor, _id(request))


@permission_required("card.move")
async def move_card(request: web.Request, actor: Actor) -> web.StreamResponse:
    settings = _settings(request)
    card_id = _id(request)
    form = await request.post()
    transition = str(form.get("transition", ""))
    reason = str(form.get("reason", ""))[:4000]
    try:
        card = await pipelines.move_card(
            actor, card_id, transition, reason=reason, expected_version=_version(form),
            region=settings.i18n.default_region, zone=settings.i18n.zone, default_locale=settings.i18n.default_locale,
        )
    except Denied:
        return await _card_page(request, actor, card_id, PageState(
            error=(CARD_ERRORS["forbidden"][0], {}), status=403))
    except pipelines.CardError as exc:
        if exc.reason == "not_found":
            raise web.HTTPNotFound() from exc
        error, status = _card_error(exc, await _field_titles(request, card_id), await request_locale(request))
        fresh = exc.reason in ("card_changed", "transition_unavailable")
        return await _card_page(request, actor, card_id, PageState(
            error=error, status=status, open_transition=None if fresh else transition,
            reason="" if fresh else reason))
    locale = await request_locale(request)
    await flash(request, "ok", "web-card-moved", name=card.stage.title(locale))
    return see_other(f"/cards/{card_id}")


def posted_fields(form) -> dict[str, str]:
    return {key.removeprefix(FIELD_PREFIX): str(value).strip() for key, value in form.items()
            if key.startswith(FIELD_PREFIX) and isinstance(value, str)}


@permission_required("card.edit")
async def edit_fields(request: web.Request, actor: Actor) -> web.StreamResponse:
    settings = _settings(request)
    card_id = _id(request)
    form = await request.post()
    posted = posted_fields(form)
    try:
        card = await pipelines.get_card(actor, card_id, "card.edit")
    except Denied:
        return await _card_page(request, actor, card_id, PageState(
            error=(CARD_ERRORS["forbidden"][0], {}), status=403))
    except pipelines.CardError as exc:
        raise web.HTTPNotFound() from exc
    # Only what the user changed goes to core: the form posts every input back, and an untouched one must not
    # count as an edit (nor bump the version). A field posted by hand that the page never offered is passed on,
    # and core refuses it.
    ctx = await _field_context(request, card, await card_attachments(card.id))
    schema = schema_of(card.pipeline.field_schema)
    changes = {key: value for key, value in posted.items()
               if key not in schema or value != _input_value(schema[key], card.fields_data.get(key), ctx)}
    if not changes:
        await flash(request, "ok", "web-card-no-changes")
        return see_other(f"/cards/{card_id}#fields")
    try:
        await pipelines.edit_fields(actor, card_id, changes, expected_version=_version(form),
                                    region=settings.i18n.default_region, zone=settings.i18n.zone)
    except pipelines.CardError as exc:
        if exc.reason == "not_found":
            raise web.HTTPNotFound() from exc
        error, status = _card_error(exc, {}, await request_locale(request))
        if exc.reason == "card_changed":
            return await _card_page(request, actor, card_id, PageState(error=error, status=status))
        return await _card_page(request, actor, card_id, PageState(
            error=error, status=status, posted_fields=posted, field_errors=exc.details.get("fields") or {}))
    await flash(request, "ok", "web-card-fields-saved")
    return see_other(f"/cards/{card_id}#fields")


@permission_required("card.comment")
async def add_comment(request: web.Request, actor: Actor) -> web.StreamResponse:
    card_id = _id(request)
    form = await request.post()
    text = str(form.get("text", ""))
    try:
        await pipelines.add_comment(actor, card_id, text)
    except Denied:
        return await _card_page(request, actor, card_id, PageState(
            error=(CARD_ERRORS["forbidden"][0], {}), status=403, comment=text))
    except pipelines.CardError as exc:
        if exc.reason == "not_found":
            raise web.HTTPNotFound() from exc
        error, status = _card_error(exc, {}, await request_locale(request))
        return await _card_page(request, actor, card_id, PageState(error=error, status=status, comment=text))
    await flash(request, "ok", "web-card-comment-added")
    return see_other(f"/cards/{card_id}#comments")


def attachment_kind(mime: str) -> str:
    if mime.startswith("image/"):
        return "photo"
    if mime.startswith("video/"):
        return "video"
    if mime.startswith("audio/"):
        return "voice"
    return "document"


def _read_upload(upload: web.FileField, limit: int) -> bytes:
    upload.file.seek(0)
    return upload.file.read(limit + 1)


@permission_required("card.attach")
async def upload_attachment(request: web.Request, actor: Actor) -> web.StreamResponse:
    settings = _settings(request)
    card_id = _id(request)
    try:
        card = await pipelines.get_card(actor, card_id, "card.attach", related=pipelines.ENGINE_CARD)
    except Denied:
        return await _card_page(request, actor, card_id, PageState(
            error=(CARD_ERRORS["forbidden"][0], {}), status=403))
    except pipelines.CardError as exc:
        raise web.HTTPNotFound() from exc
    form = await request.post()
    upload = form.get("file")
    limit = settings.storage.max_upload_mb * 1024 * 1024
    reason = None
    if not isinstance(upload, web.FileField) or not upload.filename:
        reason = "no_file"
    else:
        data = await asyncio.to_thread(_read_upload, upload, limit)
        if not data:
            reason = "empty"
        else:
            name = Path(upload.filename.replace("\\", "/")).name[:255]
            mime = (upload.content_type or "").split(";")[0].strip().lower()
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            try:
                await store_attachment(
                    data=data, kind=attachment_kind(mime), channel=actor.channel, storage_dir=settings.storage_dir,
                    card=card, name=name, mime=mime, uploaded_by=actor.staff, max_bytes=limit,
                )
            except AttachmentError as exc:
                reason = exc.reason
    if reason is not None:
        key, status = ATTACH_ERRORS.get(reason, ("web-form-bad-input", 400))
        return await _card_page(request, actor, card_id, PageState(
            error=(key, {"max": settings.storage.max_upload_mb}), status=status))
    await flash(request, "ok", "web-attach-added")
    return see_other(f"/cards/{card_id}#attachments")


def content_disposition(kind: str, name: str) -> str:
    fallback = "".join(char if char.isascii() and char.isprintable() and char not in '"\\;' else "_"
                       for char in name) or "file"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@permission_required("card.view")
async def download_attachment(request: web.Request, actor: Actor) -> web.StreamResponse:
    """The local copy of an attachment, to whoever may view its card (or its customer)."""
    attachment = await Attachment.get_or_none(id=_id(request))
    if attachment is None:
        raise web.HTTPNotFound()
    if attachment.card_id is not None:
        try:
            await pipelines.get_card(actor, attachment.card_id, related=())
        except pipelines.CardError as exc:
            raise web.HTTPNotFound() from exc
    else:
        customer = await Customer.get_or_none(id=attachment.customer_id) if attachment.customer_id else None
        if customer is None or not await may(actor, "customer.view", customer):
            raise web.HTTPNotFound()
    try:
        path = attachment_path(_settings(request).storage_dir, attachment)
    except AttachmentError as exc:
        raise web.HTTPNotFound() from exc
    if not path.is_file():
        raise web.HTTPNotFound()
    inline = attachment.mime in INLINE_IMAGES and request.query.get("download") != "1"
    name = attachment.name or f"attachment-{attachment.id}"
    return web.FileResponse(path, headers={
        "Content-Type": attachment.mime if inline else (attachment.mime or "application/octet-stream"),
        "Content-Disposition": content_disposition("inline" if inline else "attachment", name),
        "X-Content-Type-Options": "nosniff",
        # A file someone uploaded is never a page of ours: no scripts, no styles, no frames.
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
        "Cache-Control": "private, max-age=3600",
    })


# --- upload size --------------------------------------------------------------------------------------------------


@web.middleware
async def upload_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The upload form may be as big as storage.max_upload_mb (the app's general body limit is smaller); one bigger
    still is answered with the card page's "file too large" message rather than a bare 413.

    Placed before the CSRF check, which reads the form."""
    route = request.match_info.route
    if request.method != "POST" or getattr(route, "name", None) != UPLOAD_ROUTE:
        return await handler(request)
    settings = _settings(request)
    # The session belongs to the outer request; loading it first makes the clone share it (flash messages).
    await get_session(request)
    limit = settings.storage.max_upload_mb * 1024 * 1024 + UPLOAD_OVERHEAD
    bigger = request.clone(client_max_size=max(limit, request.client_max_size))
    try:
        return await handler(bigger)
    except web.HTTPRequestEntityTooLarge:
        await flash(request, "error", "web-attach-error-too-big", max=settings.storage.max_upload_mb)
        return see_other(f"/cards/{request.match_info['id']}#attachments")
