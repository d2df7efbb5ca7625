"""The SIE tokenizer: one record's line into its fields (4B/4C §5.7), with the tolerance
real files need. It is the definition the reader's fast paths are checked against."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import SieError

MAX_FIELDS = 200  # fields in one record, object list items included

Fields = list[Any]  # str fields, with an object list as a nested list[str]
Warn = Callable[..., None]  # warn(code, line, **params)


def _split_ws(part: str) -> list[str]:
    """Split on blanks and tabs only (str.split() would also split on no-break spaces)."""
    if part.isascii():
        return part.split()
    return [t for t in part.replace("\t", " ").split(" ") if t]


def _quotes_are_clean(parts: list[str]) -> bool:
    """Whether s.split('"') gave the true fields: every opening quote starts a field and
    every closing quote ends one (no escapes, no stray quotes)."""
    if not len(parts) & 1:
        return False
    for k in range(1, len(parts), 2):
        before = parts[k - 1]
        after = parts[k + 1]
        if not before or before[-1] not in " \t{" or (after and after[0] not in " \t{}"):
            return False
    return True


def _scan_quotes(s: str, line: int, warn: Warn | None) -> list[str]:
    """Like s.split('"') (alternating unquoted and quoted parts) for lines that need care:
    `\\"` is a quote inside a field; a quote opens a field only at its start and closes it
    only at its end (anything else is a stray quote, kept as text, as in a real SoftOne XE
    export); an unclosed quote runs to the end of the line. Other backslashes stay."""
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    i = 0
    n = len(s)
    while True:
        j = s.find('"', i)
        if j < 0:
            break
        if not quoted:
            if j == 0 or s[j - 1] in " \t{}":
                buf.append(s[i:j])
                parts.append("".join(buf))
                buf = []
                quoted = True
            else:
                buf.append(s[i : j + 1])
        elif j > i and s[j - 1] == "\\":
            buf.append(s[i : j - 1])
            buf.append('"')
        elif j + 1 == n or s[j + 1] in " \t{}":
            buf.append(s[i:j])
            parts.append("".join(buf))
            buf = []
            quoted = False
        else:
            if warn is not None:
                warn("stray_quote", line)
            buf.append(s[i : j + 1])
        i = j + 1
    buf.append(s[i:])
    if quoted:
        if warn is not None:
            warn("unterminated_quote", line)
        parts.append("".join(buf).rstrip(" \t"))
        parts.append("")
    else:
        parts.append("".join(buf))
    return parts


def split_fields(s: str, line: int, warn: Warn | None = None) -> Fields:
    """The fields of one record (s: the line without surrounding blanks). Quoted fields lose
    their quotes (`\\"` is a quote, other backslashes stay), an object list `{...}` becomes a
    nested list of its items. `warn(code, line)` hears about tolerated defects."""
    if '"' not in s:
        if "{" not in s and "}" not in s:
            fields: Fields = _split_ws(s)
            if len(fields) > MAX_FIELDS:
                raise SieError("too_many_fields", line, count=len(fields), limit=MAX_FIELDS)
            return fields
        parts = [s]
    else:
        parts = s.split('"')
        if '\\"' in s or not _quotes_are_clean(parts):
            parts = _scan_quotes(s, line, warn)
    out: Fields = []
    cur: Fields = out
    count = 0
    for k, part in enumerate(parts):
        if k & 1:
            if "\t" in part:
                raise SieError("control_character", line, char="TAB")
            cur.append(part)
            count += 1
        elif part:
            if "{" in part or "}" in part:
                for tok in _split_ws(part.replace("{", " { ").replace("}", " } ")):
                    if tok == "{":
                        if cur is not out:
                            raise SieError("nested_object_list", line)
                        cur = []
                        out.append(cur)
                    elif tok == "}":
                        if cur is out:
                            raise SieError("stray_brace_in_record", line)
                        cur = out
                    else:
                        cur.append(tok)
                        count += 1
            else:
                toks = _split_ws(part)
                cur.extend(toks)
                count += len(toks)
    if cur is not out:
        raise SieError("unclosed_object_list", line)
    if count > MAX_FIELDS:
        raise SieError("too_many_fields", line, count=count, limit=MAX_FIELDS)
    return out
