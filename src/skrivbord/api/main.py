"""The REST API under /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

See docs/api.md for authentication, endpoints, errors and pagination.
"""

from __future__ import annotations

import datetime
from typing import Any

from ninja import NinjaAPI, Swagger
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from skrivbord.api import accounting, activities, availability, contacts, errors, me
from skrivbord.api.auth import TOKEN_OR_SESSION
from skrivbord.sync.api import router as sync_router


class Encoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        # Full microseconds (Django's encoder cuts to milliseconds): a client that compares
        # `updated_at` values must see every change as a different time.
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = Encoder
    # "Åkesson" rather than "\u00c5kesson": the body is UTF-8 anyway, and readable.
    json_dumps_params = {"ensure_ascii": False}


DESCRIPTION = """\
The REST API of skrivbord.

**Authentication:** send a personal API token (made on your account page) in the header
`Authorization: Bearer <token>`. A logged-in browser may also read (GET) with its session,
which is what "Try it out" on this page uses; writes always need a token.

**Errors** are JSON: `{"detail": "..."}`, and for invalid data (422) also
`"errors": {"field": ["message"]}`. Messages come in the user's language.

**Lists** are paginated with `limit` and `offset`; follow `next` until it is null.
"""

api = NinjaAPI(
    title="skrivbord API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-1.0.0",
    auth=TOKEN_OR_SESSION,
    renderer=Renderer(),
    # Served from our own static files (ninja's copy of Swagger UI), never a CDN; the
    # validator badge would call validator.swagger.io, so it is off.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
errors.install(api)
api.add_router("", me.router)
api.add_router("", contacts.router)
# Before the activities: ".../activities/free-slot" must not be read as an activity id.
api.add_router("", availability.router)
api.add_router("", activities.router)
api.add_router("", accounting.router)
api.add_router("/sync", sync_router)
