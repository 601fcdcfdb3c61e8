"""Tell English from other languages, so detection never runs silently on text it cannot read."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from forewarn.document import Document

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SCRIPTS = [
    ("zh/ja", re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("ru/uk", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
]
#: Below this many function words of one language, any guess is noise: assume English.
MIN_HITS = 3


@cache
def _names() -> dict[str, str]:
    raw = tomllib.loads(resources.files("forewarn").joinpath("data/languages.toml").read_text())
    return dict(raw["names"])


def language_name(code: str) -> str:
    """``"es"`` -> ``"Spanish"``; an unknown code is returned as it is."""
    return _names().get(code, code)


@cache
def _stopwords() -> dict[str, frozenset[str]]:
    raw = tomllib.loads(resources.files("forewarn").joinpath("data/stopwords.toml").read_text())
    return {lang: frozenset(words) for lang, words in raw.items()}


def detect_language(text: str, sample_chars: int = 20_000) -> str:
    """An ISO-639-1-ish code for ``text`` ("en" when unsure); samples the start, middle, end."""
    n = len(text)
    if n > 3 * sample_chars:
        mid = n // 2
        text = (
            text[:sample_chars] + " " + text[mid : mid + sample_chars] + " " + text[-sample_chars:]
        )
    letters = sum(1 for c in text if c.isalpha())
    for code, pattern in _SCRIPTS:
        if letters and len(pattern.findall(text)) > 0.3 * letters:
            return code
    words = [w.lower() for w in _WORD.findall(text)]
    hits = {lang: sum(1 for w in words if w in sw) for lang, sw in _stopwords().items()}
    best = max(hits, key=lambda k: hits[k])
    # English wins ties and near-ties: short common words overlap across languages.
    if best != "en" and hits[best] >= MIN_HITS and hits[best] > 1.3 * hits["en"]:
        return best
    return "en"


def annotate_language(doc: Document) -> None:
    """Record the detected language; add a notice when detection cannot support it."""
    lang = detect_language(doc.text)
    if lang == "en":
        doc.metadata.language = doc.metadata.language or "en"
        return
    doc.metadata.language = lang
    doc.language_supported = False
    doc.notices.append(not_english_notice(lang))


def not_english_notice(code: str) -> str:
    """The notice for text in another language: what forewarn reads, and what this looks like."""
    return (
        f"forewarn reads English; this text looks like {language_name(code)}, "
        "so no warnings were computed"
    )
