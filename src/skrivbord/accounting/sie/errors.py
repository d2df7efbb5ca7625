"""The one error type of the SIE package."""

from __future__ import annotations

from collections.abc import Mapping

from .messages import MESSAGES


class SieError(ValueError):
    """A file that cannot be read (or written): which line, what problem.

    `template` is the English message with `%(name)s` parameters (marked for translation),
    `params` its parameters (always including `line`); `str(error)` is the English text."""

    def __init__(self, code: str, line: int, **params: object) -> None:
        self.code = code
        self.line = line
        self.template = MESSAGES[code]
        self.params: Mapping[str, object] = {"line": line, **params}
        super().__init__(self.template % self.params)

    def __reduce__(self) -> tuple[object, ...]:
        # Keeps the error picklable (multiprocessing, test runners) despite the keyword args.
        return (_rebuild, (self.code, dict(self.params)))


def _rebuild(code: str, params: dict[str, object]) -> SieError:
    line = params.pop("line")
    assert isinstance(line, int)
    return SieError(code, line, **params)
