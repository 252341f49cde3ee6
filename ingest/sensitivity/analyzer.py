"""Build Presidio's ``AnalyzerEngine`` offline: no model download, ever.

By default the engine runs on Presidio's ``NoOpNlpEngine``: every pattern recogniser works
(e-mail, phone, credit card with checksum, SSN, IBAN, IP, crypto...), plus ours (secrets,
column-name context). PERSON/LOCATION/ORG from free text need a named-entity model; that is
an opt-in (``ner_model``) that loads a spaCy pipeline *the user installed* (a package name
or a folder) and refuses, with the install hint, instead of downloading one.

tldextract (used by the URL/e-mail recognisers) is kept off the network by ``lineage``'s
package import, which runs before this module's.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from lineage.errors import ConfigError

__all__ = ["DISABLED_RECOGNIZERS", "PHONE_CONTEXT", "build_analyzer"]

# Measured: they fire on phone numbers and on ids of every kind (see docs/sensitivity.md).
DISABLED_RECOGNIZERS = ("MedicalLicenseRecognizer", "NhsRecognizer")
# Presidio's phone context includes "number" and "call": an ``order_number`` column of
# ten-digit ids then reads as phone numbers. These words name phone columns and nothing else.
PHONE_CONTEXT = ["phone", "telephone", "tel", "cell", "cellphone", "mobile", "fax", "msisdn"]


def _nlp_engine(ner_model: str | None, language: str) -> Any:
    if not ner_model:
        from presidio_analyzer.nlp_engine import NoOpNlpEngine

        return NoOpNlpEngine(models=[{"lang_code": language, "model_name": "no_op"}])
    import spacy

    if not (spacy.util.is_package(ner_model) or Path(ner_model).exists()):
        raise ConfigError(
            f"spaCy model {ner_model!r} is not installed; install it yourself (for example "
            f"`pip install {ner_model}` from your own mirror) or pass a model folder. "
            "Nothing is downloaded at run time."
        )
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    return SpacyNlpEngine(models=[{"lang_code": language, "model_name": ner_model}])


def build_analyzer(*, ner_model: str | None = None, language: str = "en") -> Any:
    """An ``AnalyzerEngine`` with Presidio's recognisers (minus the disabled ones) and ours."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    from ingest.sensitivity.recognizers import secret_recognizers

    nlp = _nlp_engine(ner_model, language)
    if ner_model:
        try:
            nlp.load()
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot load spaCy model {ner_model!r}: {exc}") from exc
    registry = RecognizerRegistry(supported_languages=[language])
    log = logging.getLogger("presidio-analyzer")
    level = log.level
    log.setLevel(logging.ERROR)  # one warning per recogniser of another language otherwise
    try:
        registry.load_predefined_recognizers(nlp_engine=nlp, languages=[language])
    finally:
        log.setLevel(level)
    for name in (*DISABLED_RECOGNIZERS, "PhoneRecognizer"):
        registry.remove_recognizer(name)
    from presidio_analyzer.predefined_recognizers import PhoneRecognizer

    registry.add_recognizer(PhoneRecognizer(context=PHONE_CONTEXT))
    for recognizer in secret_recognizers():
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(nlp_engine=nlp, registry=registry, supported_languages=[language])
