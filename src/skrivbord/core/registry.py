"""The module registry: each app declares its module here from its AppConfig.ready().

The menu, the help links and (in a later issue) the licence check are all built from these
declarations, so adding a module never means editing a central list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise


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
