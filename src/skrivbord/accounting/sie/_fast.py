"""Building frozen dataclasses fast, for the reader's hot paths.

A frozen dataclass's __init__ stores each field through object.__setattr__, three to four
times slower than plain slot stores, and the reader builds millions of rows. `builder(cls)`
returns a function that builds a mutable twin with the very same slots (`Twin()`: the twin
has no __init__, and calling the class is cheaper than `object.__new__(Twin)`) and then
gives it the frozen class (`obj.__class__ = cls`, which Python allows because the two layouts are
identical). The result is an ordinary instance of `cls`: immutable, equal to one made by
`cls(...)` (tests/accounting/sie check this for every class built here). The function is
generated the way dataclasses generates __init__, from the class's own field names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def builder(cls: type[T]) -> Callable[..., T]:
    """A function taking all of `cls`'s fields positionally, in declaration order."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    twin = type(f"_{cls.__name__}Twin", (), {"__slots__": tuple(names)})
    source = (
        f"def build({', '.join(names)}):\n"
        "    o = Twin()\n"
        + "".join(f"    o.{name} = {name}\n" for name in names)
        + "    o.__class__ = Cls\n"
        "    return o\n"
    )
    namespace: dict[str, Any] = {"Twin": twin, "Cls": cls}
    exec(source, namespace)  # noqa: S102 (source made from the dataclass's field names only)
    build: Callable[..., T] = namespace["build"]
    return build
