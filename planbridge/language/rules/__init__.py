"""The deterministic bilingual rule parser (the default; needs no model and no network)."""

from planbridge.language.rules.lexicon import Lexicon, build_lexicon, lexicon_for
from planbridge.language.rules.parser import parse_rules

__all__ = ["Lexicon", "build_lexicon", "lexicon_for", "parse_rules"]
