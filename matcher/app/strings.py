"""The app's words: one table per language (lang_it, lang_en), Italian first."""

from __future__ import annotations

from matcher.app.lang_en import EN
from matcher.app.lang_it import IT

STRINGS = {"it": IT, "en": EN}


class Text:
    """The UI strings of one language: `t("count", n=3, min=25)`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in STRINGS else "it"
        self.table = STRINGS[self.lang]

    def __call__(self, key: str, **values: object) -> str:
        text = self.table[key]
        return text.format(**values) if values else text
