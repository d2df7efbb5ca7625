"""The module registry: each app declares its module here from its AppConfig.ready().

The menu, the help links and (in a later issue) the licence check are all built from these
declarations, so adding a module never means editing a central list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise


class Direction(StrEnum):
    BOTH = "both"
    OFFICE_TO_ONLINE = "office-to-online"
    ONLINE_TO_OFFICE = "online-to-office"


@dataclass(frozen=True)
class SyncedModel:
    """A model whose rows the sync engine keeps equal on the office and the online node.

    `fields` are column names (a foreign key as `contact_id`); `company_id`, `id` and the
    timestamps are handled by the engine. `parents` maps a foreign-key column to the label of
    the synced model it points at, so a child that arrives before its parent is parked, not
    lost. `policies` overrides the company's conflict policy for single fields.
    """

    label: str
    fields: tuple[str, ...]
    direction: Direction = Direction.BOTH
    parents: Mapping[str, str] = field(default_factory=dict)
    policies: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Module:
    key: str
    name: str | Promise
    #: URL name of the module's start page; it takes the company id as `company_id`.
    url_name: str
    help_page: str
    order: int = 100
    #: Shown in the top menu. Modules such as help are reachable but not listed.
    in_menu: bool = True
    #: Permissions the module defines, e.g. ("view", "change"). A read-only member gets
    #: "view" only; users and administrators get all but those listed in admin_permissions.
    permissions: tuple[str, ...] = ("view", "change")
    admin_permissions: tuple[str, ...] = field(default_factory=tuple)
    #: Models this module synchronises, parents before children.
    synced_models: tuple[SyncedModel, ...] = ()


_modules: dict[str, Module] = {}


def register(module: Module) -> None:
    existing = _modules.get(module.key)
    if existing is not None and existing != module:
        raise ValueError(f"Module {module.key!r} is registered twice with different settings.")
    _modules[module.key] = module


def get(key: str) -> Module:
    return _modules[key]


def all_modules() -> list[Module]:
    return sorted(_modules.values(), key=lambda module: (module.order, module.key))


def synced_models() -> list[SyncedModel]:
    """Every synchronised model, in an order where parents come before their children."""
    return [synced for module in all_modules() for synced in module.synced_models]


def read_only_on(synced: SyncedModel, node: str) -> bool:
    """Whether local edits of this model are refused on `node` ("office" or "online"): the
    other node owns its data, and it arrives here only through the sync."""
    if synced.direction == Direction.OFFICE_TO_ONLINE:
        return node == "online"
    if synced.direction == Direction.ONLINE_TO_OFFICE:
        return node == "office"
    return False


def module_read_only_on(module: Module, node: str) -> bool:
    """A module whose synchronised data all belongs to the other node is read-only here."""
    return bool(module.synced_models) and all(
        read_only_on(synced, node) for synced in module.synced_models
    )


def synced_model(label: str) -> SyncedModel:
    for synced in synced_models():
        if synced.label == label:
            return synced
    raise KeyError(label)
