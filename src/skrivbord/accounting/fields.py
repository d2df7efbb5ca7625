"""Exact amounts in the database: Decimal in Python, a scaled integer in the column.

SQLite has no exact decimal type (a DECIMAL column holds a float), so money is stored as
integer öre and quantities as integer millionths. SQL SUM over them is exact on SQLite and
PostgreSQL alike; Python only ever sees Decimal. See docs/decisions/0012-money-as-ore.md.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# The largest magnitude a signed 64-bit column holds.
_INT64 = 2**63 - 1


class ScaledDecimalField(models.BigIntegerField):
    """A Decimal with at most `places` decimals, stored as an integer of 10^-places units.

    A value with more decimals is refused, never rounded: an amount that cannot be stored
    exactly is an error in whatever produced it.
    """

    # What django-stubs' mypy plugin reads as the field's Python types.
    _pyi_private_set_type: Decimal | int | str | None  # type: ignore[assignment]
    _pyi_private_get_type: Decimal  # type: ignore[assignment]

    places = 2
    default_error_messages = {
        "invalid": _("“%(value)s” is not a number."),
        "too_precise": _("“%(value)s” has more than %(places)d decimals."),
        "too_large": _("“%(value)s” is too large to be stored."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._unit = Decimal(1).scaleb(-self.places)

    def get_internal_type(self) -> str:
        return "BigIntegerField"

    def to_units(self, value: Any) -> int | None:
        """The stored integer for a value (Decimal, int or text)."""
        if value is None:
            return None
        number = self.to_python(value)
        assert number is not None
        scaled = number.scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValidationError(
                self.error_messages["too_precise"],
                code="too_precise",
                params={"value": value, "places": self.places},
            )
        units = int(scaled)
        if abs(units) > _INT64:
            raise ValidationError(
                self.error_messages["too_large"], code="too_large", params={"value": value}
            )
        return units

    def from_units(self, units: int) -> Decimal:
        return Decimal(units).scaleb(-self.places)

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        if isinstance(value, float):
            # Floats are how money goes wrong; only exact inputs are accepted.
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            )
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as error:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from error
        if not number.is_finite():
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            )
        return number

    def get_prep_value(self, value: Any) -> Any:
        if hasattr(value, "resolve_expression"):
            return value
        return self.to_units(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        if value is None:
            return None
        return self.from_units(int(value))

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        from django import forms

        return models.Field.formfield(
            self,
            **{"form_class": forms.DecimalField, "decimal_places": self.places, **kwargs},
        )

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else str(value)


class MoneyField(ScaledDecimalField):
    """Money in kronor with öre (two decimals), stored as integer öre."""

    places = 2


class QuantityField(ScaledDecimalField):
    """A quantity (#TRANS kvantitet) with up to six decimals, stored as integer millionths."""

    places = 6


def ore(amount: Decimal) -> int:
    """Öre of an amount with at most two decimals (the importer's fast path)."""
    scaled = amount.scaleb(2)
    units = int(scaled)
    if scaled != units:
        raise ValueError(f"{amount} has more than 2 decimals")
    return units
