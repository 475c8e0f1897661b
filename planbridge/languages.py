"""The languages the product speaks, by the codes the contract uses (`en`, `zh`) plus `zh-Hant`.

`zh` is Simplified Chinese. Kept apart from the message catalogue so that services can pick a
reader's language without importing the presentation layer.
"""

from __future__ import annotations

EN, ZH, ZH_HANT = "en", "zh", "zh-Hant"
LANGUAGES = (EN, ZH, ZH_HANT)
_ALIASES = {"zh-hans": ZH, "zh_hans": ZH, "zh-cn": ZH, "zh_cn": ZH, "zh-sg": ZH, "zh": ZH,
            "zh-hant": ZH_HANT, "zh_hant": ZH_HANT, "zh-tw": ZH_HANT, "zh_tw": ZH_HANT, "zh-hk": ZH_HANT, "en": EN}


def is_known(language: str | None) -> bool:
    return language is not None and language.strip().lower() in _ALIASES


def normalize(language: str | None) -> str:
    """`en`, `zh` (Simplified) or `zh-Hant` for a language tag; English when unknown."""
    return _ALIASES.get((language or "").strip().lower(), EN)


def is_chinese(language: str | None) -> bool:
    return normalize(language) in (ZH, ZH_HANT)
