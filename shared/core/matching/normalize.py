"""Normal forms used to compare records from different platforms.

Each function returns ``None`` for a value that is empty or cannot be put in normal form, so that a
comparison can say "not comparable" instead of "different".
"""

import re
import unicodedata

from shared.core.mapping import normalizers as mapping_normalizers

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]")
# Legal-form suffixes that say nothing about which company it is ("Acme Inc." is "Acme Corp").
_LEGAL_FORMS = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "gmbh", "sa",
     "sas", "sarl", "bv", "nv", "plc", "ag", "pty", "srl", "spa", "oy", "ab", "as", "kg", "lp", "llp"}
)  # fmt: skip


def normalize_email(value: str | None) -> str | None:
    """The canonical email form of the mappings (trimmed, lower-cased), ``None`` if not an address."""
    return mapping_normalizers.normalize_email(value)


def normalize_sku(value: str | None) -> str | None:
    """SKU with whitespace removed and upper-cased (``" abc-1 "`` is ``"ABC-1"``)."""
    if value is None:
        return None
    sku = _SPACES.sub("", value).upper()
    return sku or None


def normalize_order_number(value: str | None) -> str | None:
    """Order number without whitespace, a leading ``#`` and case (Shopify shows ``#1001``)."""
    if value is None:
        return None
    number = _SPACES.sub("", value).lstrip("#").upper()
    return number or None


def normalize_phone(value: str | None) -> str | None:
    """E.164 form of an international number (``+1 (613) 555-0100`` is ``+16135550100``).

    Numbers without a country code are not comparable across platforms and give ``None``: no default
    region applies here (``"ZZ"`` is libphonenumber's "unknown region").
    """
    return mapping_normalizers.normalize_phone(value, "ZZ")


def normalize_text(value: str | None) -> str | None:
    """Accent-free, case-folded words separated by one space; punctuation dropped."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_ish = "".join(char for char in decomposed if not unicodedata.combining(char))
    text = _SPACES.sub(" ", _NON_WORD.sub(" ", ascii_ish.casefold())).strip()
    return text or None


def normalize_company(value: str | None) -> str | None:
    """Company name in normal text form without legal-form words (``"Acme, Inc."`` is ``"acme"``)."""
    text = normalize_text(value)
    if text is None:
        return None
    words = [word for word in text.split(" ") if word not in _LEGAL_FORMS]
    # A name that is only a legal form ("Company Ltd") keeps its words rather than vanishing.
    return " ".join(words) if words else text


def normalize_postal_code(value: str | None) -> str | None:
    """Postal code without spaces or dashes, upper-cased (``"k1a 0b1"`` is ``"K1A0B1"``)."""
    if value is None:
        return None
    code = re.sub(r"[\s-]", "", value).upper()
    return code or None
