"""Error responses: always JSON, always `{"detail": ...}`, in the caller's language.

| status | when |
|---|---|
| 400 | the body is not valid JSON |
| 401 | no valid API token (or session, for reads) |
| 403 | a member of the company without the right, e.g. a read-only user writing |
| 404 | no such object — also another company's object, or a company one is not in |
| 409 | the contact is in use and cannot be deleted |
| 413 | the body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE |
| 422 | invalid data: `{"detail": ..., "errors": {"field": ["message", ...]}}` |

Schema errors (wrong type, too long, unknown field) and the services' validation errors have
the same shape, so a client handles one format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from skrivbord.api.schemas import API_FIELD_NAMES
from skrivbord.contacts.services import ContactInUse
from skrivbord.core.access import KeptElsewhere

if TYPE_CHECKING:
    from ninja import NinjaAPI

NON_FIELD = "__all__"


def _detail(api: NinjaAPI, request: HttpRequest, status: int, detail: str) -> HttpResponse:
    return api.create_response(request, {"detail": detail}, status=status)


def _invalid(api: NinjaAPI, request: HttpRequest, errors: dict[str, list[str]]) -> HttpResponse:
    body = {"detail": _("The data is not valid. See the errors per field."), "errors": errors}
    return api.create_response(request, body, status=422)


def schema_message(error: dict[str, Any]) -> str:
    """A pydantic error as a translatable sentence (pydantic's own texts are English only)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "string_too_long":
        limit = ctx.get("max_length", 0)
        return ngettext(
            "Ensure this value has at most %(limit)d character.",
            "Ensure this value has at most %(limit)d characters.",
            limit,
        ) % {"limit": limit}
    if kind == "too_long":
        limit = ctx.get("max_length", 0)
        return ngettext(
            "Ensure there is at most %(limit)d item.",
            "Ensure there are at most %(limit)d items.",
            limit,
        ) % {"limit": limit}
    if kind == "string_type":
        return _("Enter text (a JSON string).")
    if kind in {"bool_type", "bool_parsing"}:
        return _("Enter true or false.")
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return _("Enter a whole number.")
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit)s.") % {
            "limit": ctx.get("ge")
        }
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit)s.") % {"limit": ctx.get("le")}
    if kind in {"literal_error", "enum"}:
        return _("Select one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"uuid_parsing", "uuid_type"}:
        return _("Enter a valid UUID.")
    if kind == "list_type":
        return _("Enter a list (a JSON array).")
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return _("Enter an object (a JSON object).")
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return str(error.get("msg", _("Enter a valid value.")))


def _schema_errors(exc: SchemaValidationError) -> tuple[bool, dict[str, list[str]]]:
    """(an id in the path was malformed, messages per dotted field path)."""
    errors: dict[str, list[str]] = {}
    bad_path = False
    for error in exc.errors:
        loc = tuple(error.get("loc", ()))
        source, rest = (loc[0], loc[1:]) if loc else ("", ())
        if source == "path":
            bad_path = True
            continue
        if source == "body":
            rest = rest[1:]  # drop the name of the view's body parameter
            if not rest and error.get("type") == "missing":
                errors.setdefault(NON_FIELD, []).append(_("The request needs a JSON body."))
                continue
        key = ".".join(str(part) for part in rest) or NON_FIELD
        errors.setdefault(key, []).append(schema_message(error))
    return bad_path, errors


def django_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as messages per API field name."""
    if not hasattr(error, "error_dict"):
        return {NON_FIELD: [str(message) for message in error.messages]}
    return {
        API_FIELD_NAMES.get(field, field): [str(message) for message in messages]
        for field, messages in error.message_dict.items()
    }


def install(api: NinjaAPI) -> None:
    # Handlers take `exc: Any`: ninja's type hints expect the exception or its class.

    def on_schema_error(request: HttpRequest, exc: Any) -> HttpResponse:
        bad_path, errors = _schema_errors(exc)
        if bad_path:
            # A malformed id names nothing that exists: same answer as an unknown id.
            return _detail(api, request, 404, _("Not found."))
        return _invalid(api, request, errors)

    def on_django_validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return _invalid(api, request, django_errors(exc))

    def on_authentication_error(request: HttpRequest, exc: Any) -> HttpResponse:
        response = _detail(
            api,
            request,
            401,
            _("Authentication failed. Send a valid API token: Authorization: Bearer <token>."),
        )
        response["WWW-Authenticate"] = 'Bearer realm="skrivbord"'
        return response

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return _detail(api, request, 400, _("The request body is not valid JSON."))
        response = _detail(api, request, exc.status_code, str(exc))
        # Retry-After on 429, WWW-Authenticate on 401: the exception says which.
        for name, value in (getattr(exc, "headers", None) or {}).items():
            response[name] = value
        return response

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        # Never echo the exception: it could name a model or an id of another company.
        return _detail(api, request, 404, _("Not found."))

    def on_permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, KeptElsewhere):
            detail = exc.message
        elif str(exc) == "change":
            detail = _("You may read this company's data but not change it.")
        else:
            detail = _("You do not have access to this.")
        return _detail(api, request, 403, detail)

    def on_too_large(request: HttpRequest, exc: Any) -> HttpResponse:
        # DATA_UPLOAD_MAX_MEMORY_SIZE: refused before any parsing.
        return _detail(api, request, 413, _("The request body is too large."))

    def on_contact_in_use(request: HttpRequest, exc: Any) -> HttpResponse:
        return _detail(api, request, 409, str(exc))

    api.add_exception_handler(SchemaValidationError, on_schema_error)
    api.add_exception_handler(DjangoValidationError, on_django_validation_error)
    api.add_exception_handler(AuthenticationError, on_authentication_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(ContactInUse, on_contact_in_use)
    api.add_exception_handler(RequestDataTooBig, on_too_large)
