"""Shared by the management commands: finding the company an option names, and turning
service errors into command-line errors."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import CommandError

from skrivbord.core.models import Company


def company_from_option(value: str) -> Company:
    """The company whose id was given on the command line, or a CommandError saying how to
    find the id."""
    try:
        company = Company.objects.filter(id=uuid.UUID(value.strip())).first()
    except ValueError:
        company = None
    if company is None:
        raise CommandError(
            f"There is no company with the id {value}. "
            "`skrivbord company_create` prints the id of a new company."
        )
    return company


def command_error(
    error: ValidationError, options: Mapping[str, str] | None = None, *, unnamed: str = ""
) -> CommandError:
    """A CommandError with the service's messages, each led by the option it is about.

    `options` maps a service field name to the command-line option that sets it, so the
    message points at what to change: "--orgnr: 556036-0794 is not a valid ...". `unnamed`
    leads messages that name no field (the password validators raise those).
    """
    options = options or {}
    if not hasattr(error, "error_dict"):
        message = " ".join(error.messages)
        return CommandError(f"{unnamed}: {message}" if unnamed else message)
    lines = []
    for field, messages in error.message_dict.items():
        label = options.get(field, "" if field == NON_FIELD_ERRORS else field)
        for message in messages:
            lines.append(f"{label}: {message}" if label else message)
    return CommandError("\n".join(lines))
