"""The client's address when skrivbord runs behind a reverse proxy (SKRIVBORD_BEHIND_PROXY=1).

Login throttling locks a username together with the client's address. Behind a proxy every
request comes from the proxy, so without this the lock would hit all users of an e-mail
address at once. Only the right-most X-Forwarded-For entry is trusted: it is the one our own
proxy added; anything left of it was sent by the client and can be forged.
"""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    candidate = forwarded.split(",")[-1].strip() if forwarded else ""
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return str(request.META.get("REMOTE_ADDR", ""))
