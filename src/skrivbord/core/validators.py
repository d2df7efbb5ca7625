"""Validation of Swedish organisation numbers and VAT numbers, by python-stdnum.

Each function returns the number in its canonical stored form or raises a Django
ValidationError with a message in the active language.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.se import orgnr, personalid


def _reason(error: stdnum_errors.ValidationError) -> str:
    if isinstance(error, stdnum_errors.InvalidChecksum):
        return _("the check digit is wrong")
    if isinstance(error, stdnum_errors.InvalidLength):
        return _("it has the wrong number of digits")
    if isinstance(error, stdnum_errors.InvalidComponent):
        return _("part of it is not valid")
    return _("it contains characters that do not belong in it")


def normalize_org_number(value: str, *, allow_personal_id: bool = True) -> str:
    """A Swedish organisation number as NNNNNN-NNNN.

    A sole trader's organisation number is the owner's personal identity number, so that is
    accepted too unless the caller says otherwise.
    """
    value = value.strip()
    if not value:
        return ""
    try:
        return str(orgnr.format(orgnr.validate(value)))
    except stdnum_errors.ValidationError as error:
        if allow_personal_id and personalid.is_valid(value):
            return str(personalid.format(value))
        raise ValidationError(
            _("%(value)s is not a valid Swedish organisation number: %(reason)s.")
            % {"value": value, "reason": _reason(error)},
            code="invalid_org_number",
        ) from error


def normalize_vat_number(value: str) -> str:
    """An EU VAT number (Swedish ones are SE + organisation number + 01), compact, uppercase."""
    value = value.strip()
    if not value:
        return ""
    try:
        return str(eu_vat.validate(value))
    except stdnum_errors.ValidationError as error:
        raise ValidationError(
            _(
                "%(value)s is not a valid VAT number: %(reason)s. A Swedish VAT number is SE, "
                "the organisation number and 01, for example SE556036079301."
            )
            % {"value": value, "reason": _reason(error)},
            code="invalid_vat_number",
        ) from error
