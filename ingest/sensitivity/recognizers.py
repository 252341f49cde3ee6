"""Recognisers of our own, registered in Presidio next to its pattern recognisers.

* **Secrets by value**: provider API keys, private keys, JWTs, passwords inside connection
  strings. Each is a Presidio ``PatternRecognizer`` (entity names below), so they take part
  in the same scoring, overlap resolution and explanation as Presidio's own.
* **Column-name context**: what values alone cannot tell (is ``Maria Lopez`` a person? is
  ``1984-03-02`` a birth date? is ``E11.9`` a diagnosis?) the column name can. A table of
  rules maps a column name to an entity and a value shape; for a matching column an ad-hoc
  recogniser joins the request (Presidio's ``ad_hoc_recognizers``), so a ``first_name``
  column of capitalised words is PERSON while a ``product_name`` column is not.

Shapes are anchored with ``^``/``$`` and never cross a line (Presidio compiles patterns with
MULTILINE and DOTALL), so a value matches the same alone or in a batch of lines.

Nothing here imports Presidio at module import time: :func:`secret_recognizers` and
:func:`column_recognizers` build the recognisers when called.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COLUMN_RULES",
    "SECRET_PATTERNS",
    "ColumnRule",
    "column_recognizers",
    "column_words",
    "secret_recognizers",
]

# (entity, name, regex, score). Scores: provider-prefixed keys are near certain.
SECRET_PATTERNS: tuple[tuple[str, str, str, float], ...] = (
    ("PRIVATE_KEY", "pem private key",
     r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----", 0.95),
    ("API_KEY", "anthropic", r"\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,}", 0.95),
    ("API_KEY", "openai", r"\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,}", 0.9),
    ("API_KEY", "huggingface", r"\bhf_[A-Za-z0-9]{30,}\b", 0.9),
    ("API_KEY", "aws access key id", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b", 0.9),
    ("API_KEY", "google", r"\bAIza[0-9A-Za-z_-]{35}\b", 0.9),
    ("API_KEY", "github",
     r"\b(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,})", 0.95),
    ("API_KEY", "slack", r"\bxox[baprs]-[A-Za-z0-9-]{10,}", 0.9),
    ("API_KEY", "stripe", r"\b(?:sk|rk)_live_[A-Za-z0-9]{20,}", 0.95),
    ("JWT", "jwt", r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}", 0.9),
    ("CONNECTION_STRING", "url with password",
     r"\b[a-z][a-z0-9+.-]{1,30}://[^:/\s@'\"]{1,100}:[^@/\s'\"]{3,200}@[\w.-]+", 0.85),
)  # fmt: skip


def secret_recognizers() -> list[Any]:
    """One ``PatternRecognizer`` per secret entity (``SECRET`` category)."""
    from presidio_analyzer import Pattern, PatternRecognizer

    by_entity: dict[str, list[Any]] = {}
    for entity, name, regex, score in SECRET_PATTERNS:
        by_entity.setdefault(entity, []).append(Pattern(name, regex, score))
    return [
        PatternRecognizer(
            supported_entity=entity, name=f"lineage_{entity.lower()}", patterns=patterns
        )
        for entity, patterns in by_entity.items()
    ]


_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)")


def column_words(name: str) -> list[str]:
    """``customerEmail_2`` -> ``["customer", "email", "2"]`` (the context Presidio gets)."""
    return [w.lower() for w in _WORD_SPLIT.split(name) if w]


_PERSON_SHAPE = r"^[^\W\d_][^\W\d_'.-]*(?:[ '.-]{1,2}[^\W\d_][^\W\d_'.-]*){0,4}\.?$"
_PLACE_SHAPE = r"^(?=[^\n]*[^\W\d_])[\w .,'#/-]{2,120}$"
_DATE_SHAPE = (
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?:[ T]\d\d:\d\d[^\n]*)?$"
)
_ICD10 = r"^[A-TV-Z]\d[0-9AB](?:\.[0-9A-TV-Z]{1,4})?$"
_FREE_TEXT = r"^(?=[^\n]*[^\W\d_]{3})[^\n]{3,300}$"
_OPAQUE = r"^\S{4,200}$"
_ID = r"^[A-Za-z]{0,4}[-]?\d{5,12}$"


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """A column whose name matches ``name`` holds ``entity`` when values have ``shape``."""

    entity: str
    name: str  # regex over the lower-cased column name, words joined by "_"
    shape: str  # regex every hit value must match (fullmatch on the stripped value)
    score: float = 0.7

    def applies(self, column: str) -> bool:
        return re.search(self.name, "_".join(column_words(column))) is not None


COLUMN_RULES: tuple[ColumnRule, ...] = (
    ColumnRule("PERSON",
               r"(?:^|_)(?:first|last|given|family|middle|maiden|sur|full|display|legal|nick)"
               r"_?name(?:$|_)|(?:^|_)(?:surname|forename|firstname|lastname|fullname)(?:$|_)"
               r"|(?:^|_)(?:customer|patient|employee|person|contact|holder|cardholder|user"
               r"|account_holder|beneficiary|recipient|sender|driver|member)_name(?:$|_)",
               _PERSON_SHAPE),
    ColumnRule("LOCATION",
               r"(?:^|_)(?:address|street|addr|city|town|postcode|postal_code|zip|zipcode"
               r"|zip_code|county|province|home_address|billing_address|shipping_address)"
               r"(?:$|_|\d)",
               _PLACE_SHAPE),
    ColumnRule("DATE_OF_BIRTH", r"(?:^|_)(?:dob|birth|birthday|birthdate|born|date_of_birth)"
               r"(?:$|_)", _DATE_SHAPE, 0.8),
    ColumnRule("MEDICAL_CONDITION", r"(?:^|_)(?:icd|icd10|icd_10|diagnosis|diagnoses|dx"
               r"|condition|conditions|disease|comorbidit\w*)(?:$|_|_?code)", _ICD10, 0.85),
    ColumnRule("MEDICAL_CONDITION", r"(?:^|_)(?:diagnosis|diagnoses|dx|condition|disease"
               r"|symptoms?|medical_history|clinical_notes?)(?:$|_)", _FREE_TEXT, 0.7),
    ColumnRule("MEDICAL_RECORD_NUMBER", r"(?:^|_)(?:mrn|medical_record(?:_number|_no|_id)?"
               r"|patient_id|patient_number|chart_number)(?:$|_)", _ID, 0.8),
    # An e-mail column whose values hold an @ holds addresses, cut ones too (a Spark show()
    # prints ``sdunford0@amazona...``; a masked export ``j***@example.com``).
    ColumnRule("EMAIL_ADDRESS", r"(?:^|_)(?:e_?mail|email_address|mail_address)(?:$|_)",
               r"^[^@\s]{1,64}@[^@\s]{1,253}$"),
    ColumnRule("PASSWORD", r"(?:^|_)(?:password|passwd|pwd|passphrase|pass_hash"
               r"|password_hash)(?:$|_)", _OPAQUE, 0.8),
)  # fmt: skip


def column_recognizers(column: str, rules: Sequence[ColumnRule] = COLUMN_RULES) -> list[Any]:
    """Ad-hoc recognisers for one column, from the rules its name matches."""
    from presidio_analyzer import Pattern, PatternRecognizer

    out = []
    for i, rule in enumerate(r for r in rules if r.applies(column)):
        out.append(
            PatternRecognizer(
                supported_entity=rule.entity,
                name=f"lineage_column_{rule.entity.lower()}_{i}",
                patterns=[Pattern(f"{rule.entity.lower()} by column name", rule.shape, rule.score)],
            )
        )
    return out
