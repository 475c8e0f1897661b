"""One message catalogue: English, Simplified and Traditional Chinese, as gettext `.po` files.

Messages are looked up by key (`t("en", "quote.head", qty=..., ...)`) and formatted with
`str.format` placeholders. The `.po` files under `locale/` are the source; Babel reads them
and the standard library's `GNUTranslations` answers, plural forms included.
Language codes on the wire stay what the contract says (`en`, `zh`); `zh` is Simplified
Chinese, `zh-Hant` Traditional.
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path
from typing import Any

from planbridge.languages import EN, LANGUAGES, ZH, ZH_HANT, is_chinese, is_known, normalize

__all__ = ["EN", "LANGUAGES", "ZH", "ZH_HANT", "is_chinese", "is_known", "keys", "normalize", "t", "tn"]

_FOLDERS = {EN: "en", ZH: "zh_Hans", ZH_HANT: "zh_Hant"}
LOCALE = Path(__file__).resolve().parent / "locale"
DOMAIN = "planbridge"


def po_path(language: str) -> Path:
    return LOCALE / _FOLDERS[normalize(language)] / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(LANGUAGES))
def _load(language: str) -> tuple[gettext.GNUTranslations, frozenset[str]]:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path(language).open("rb") as source:
        catalog = read_po(source, locale=_FOLDERS[normalize(language)])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    ids = frozenset(m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id)
    return gettext.GNUTranslations(compiled), ids


def translations(language: str) -> gettext.GNUTranslations:
    """The language's catalogue, compiled in memory from its `.po` file (Babel reads, gettext answers)."""
    return _load(normalize(language))[0]


def keys(language: str = EN) -> frozenset[str]:
    """Every message key of a language's catalogue."""
    return _load(normalize(language))[1]


def t(language: str | None, key: str, /, **values: Any) -> str:
    """The message `key` in `language`, formatted with `values`."""
    if key not in keys():
        raise KeyError(f"no message {key!r} in the catalogue")
    text = translations(normalize(language)).gettext(key)
    return text.format(**values) if values else text


def tn(language: str | None, key: str, n: int, /, **values: Any) -> str:
    """The plural-aware message `key` for a count `n` (`n` is also a placeholder)."""
    if key not in keys():
        raise KeyError(f"no message {key!r} in the catalogue")
    text = translations(normalize(language)).ngettext(key, f"{key}.plural", n)
    return text.format(n=n, **values)
