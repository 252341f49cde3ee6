"""Accuracy of column verdicts on a seeded, labelled column set generated with Faker.

Each column is 100 values of one entity type (or of a realistic non-sensitive kind) in one
of several locales, named the way real schemas name such columns, some of them sparse (20-40 %
nulls); value-detectable entities also appear under uninformative names (``col_17``), and
the non-sensitive kinds include the hard negatives (``order_number`` ids that are valid
phone numbers, ``shipped_on`` dates, ``product_name`` words). For every entity the script reports
column-level precision and recall of :class:`ingest.sensitivity.Classifier` verdicts, and
lists every miss and false alarm (column name and kind only, never values).

    .venv/bin/python bench/sensitivity_accuracy.py [--columns-per-kind 20] [--seed 7] [--json]
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from faker import Faker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.sensitivity import Classifier

LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR"]
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
GENERIC = ["col_{n}", "value", "field{n}", "attr_{n}", "data"]


def _jwt(f: Faker) -> str:
    def part(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return ".".join(
        [part({"alg": "HS256", "typ": "JWT"}), part({"sub": f.uuid4(), "iat": f.unix_time()}),
         base64.urlsafe_b64encode(f.binary(32)).rstrip(b"=").decode()]
    )  # fmt: skip


def _api_key(f: Faker) -> str:
    kind = f.random_int(0, 4)
    if kind == 0:
        return "sk-proj-" + f.pystr(min_chars=48, max_chars=48)
    if kind == 1:
        return "AKIA" + f.bothify("?" * 16, letters=B32)
    if kind == 2:
        return "ghp_" + f.pystr(min_chars=36, max_chars=36)
    if kind == 3:
        return "hf_" + f.pystr(min_chars=34, max_chars=34)
    return "AIza" + f.bothify(
        "?" * 35, letters="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop0123456789_-"
    )


def _dsn(f: Faker) -> str:
    scheme = f.random_element(["postgresql", "mysql", "mongodb", "redis", "amqp"])
    host = f"{f.domain_word()}.internal:5432"
    return f"{scheme}://{f.user_name()}:{f.password(length=14)}@{host}/{f.word()}"


ICD10 = (
    "E11.9 I10 J45.909 F32.A M54.5 K21.9 E78.5 N39.0 J06.9 R51 Z00.00 F41.1 G43.909 I25.10 E66.9"
)
ICD10 = [*ICD10.split(), "L40.0", "C50.911", "B20", "O80"]


@dataclass(frozen=True)
class Kind:
    """A column kind: its entity ("" = not sensitive), values, names, and whether it also
    appears under uninformative names."""

    entity: str
    make: Callable[[Faker], object]
    names: tuple[str, ...]
    generic: bool = True


def _either(
    a: Callable[[Faker], object], b: Callable[[Faker], object]
) -> Callable[[Faker], object]:
    return lambda f: a(f) if f.random_int(0, 1) else b(f)


KINDS: dict[str, Kind] = {
    "email": Kind("EMAIL_ADDRESS", lambda f: f.email(),
                  ("email", "contact_email", "user_mail", "e_mail", "billing_email")),
    "phone": Kind("PHONE_NUMBER", lambda f: f.phone_number(),
                  ("phone", "phone_number", "mobile", "telephone", "cell_phone"), False),
    "card": Kind("CREDIT_CARD", lambda f: f.credit_card_number(),
                 ("card_number", "cc_number", "pan", "credit_card")),
    "ssn": Kind("US_SSN", lambda f: f.ssn(), ("ssn", "social_security_no", "ssn_number"), False),
    "iban": Kind("IBAN_CODE", lambda f: f.iban(), ("iban", "bank_account", "payout_iban")),
    "ip": Kind("IP_ADDRESS", _either(lambda f: f.ipv4(), lambda f: f.ipv6()),
               ("ip", "client_ip", "ip_address", "remote_addr")),
    "person": Kind("PERSON", _either(lambda f: f.name(), lambda f: f.first_name()),
                   ("first_name", "last_name", "full_name", "customer_name", "surname"), False),
    "location": Kind("LOCATION", _either(lambda f: f.street_address(), lambda f: f.city()),
                     ("address", "street", "city", "home_address", "billing_address"), False),
    "dob": Kind("DATE_OF_BIRTH", lambda f: f.date_of_birth().isoformat(),
                ("dob", "date_of_birth", "birth_date", "birthday"), False),
    "icd10": Kind("MEDICAL_CONDITION", lambda f: f.random_element(ICD10),
                  ("diagnosis_code", "icd10", "dx_code", "icd_10_code"), False),
    "api_key": Kind("API_KEY", _api_key, ("api_key", "token", "access_key", "secret")),
    "jwt": Kind("JWT", _jwt, ("session_token", "jwt", "auth")),
    "dsn": Kind("CONNECTION_STRING", _dsn, ("dsn", "database_url", "connection")),
    "mac": Kind("MAC_ADDRESS", lambda f: f.mac_address(), ("mac", "mac_address", "device_mac")),
    # realistic non-sensitive columns, hard negatives included
    "sku": Kind("", lambda f: f.bothify("??-####-??").upper(), ("sku", "product_code")),
    "timestamp": Kind("", lambda f: f.iso8601(), ("created_at", "updated_at", "event_time")),
    "date": Kind("", lambda f: f.date(), ("order_date", "shipped_on", "valid_from")),
    "free_text": Kind("", lambda f: f.sentence(nb_words=12),
                      ("comment", "description", "notes", "review_text")),
    "product_name": Kind("", lambda f: f.word().title() + " " + f.word(),
                         ("product_name", "name", "title", "category")),
    "price": Kind("", lambda f: f"{f.pyfloat(left_digits=4, right_digits=2, positive=True)}",
                  ("price", "amount", "total", "unit_cost")),
    "quantity": Kind("", lambda f: f.random_int(0, 100000), ("quantity", "qty", "count")),
    "uuid": Kind("", lambda f: f.uuid4(), ("id", "order_id", "request_id")),
    "status": Kind("", lambda f: f.random_element(["new", "paid", "shipped"]), ("status",)),
    "url": Kind("", lambda f: f.url(), ("url", "landing_page", "referrer")),
    "company": Kind("", lambda f: f.company(), ("company", "vendor", "supplier")),
    "country": Kind("", lambda f: f.country_code(), ("country", "country_code")),
    "sha": Kind("", lambda f: f.sha256(), ("checksum", "content_hash")),
    "version": Kind("", lambda f: f"{f.random_int(0, 9)}.{f.random_int(0, 20)}.{f.random_int()}",
                    ("version", "app_version")),
    "order_no": Kind("", lambda f: str(f.random_int(10**9, 10**10 - 1)),
                     ("order_number", "invoice_no", "tracking_number")),
}  # fmt: skip


def columns(per_kind: int, seed: int) -> list[tuple[str, str, str, list[object]]]:
    """``(kind, entity, column name, values)``; seeded."""
    rng = random.Random(seed)
    out = []
    for kind, spec in KINDS.items():
        entity, make, names, generic_ok = spec.entity, spec.make, list(spec.names), spec.generic
        for i in range(per_kind):
            locale = "en_US" if kind == "ssn" else LOCALES[i % len(LOCALES)]
            fake = Faker(locale)
            fake.seed_instance(rng.randrange(1 << 30))
            if generic_ok and i % 4 == 3:
                name = rng.choice(GENERIC).format(n=rng.randint(1, 40))
            else:
                name = rng.choice(names)
            values: list[object] = [make(fake) for _ in range(100)]
            if rng.random() < 0.3:  # sparse columns: 20-40 % nulls and blanks
                for j in rng.sample(range(100), rng.randint(20, 40)):
                    values[j] = rng.choice([None, "", " "])
            out.append((kind, entity, name, values))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--columns-per-kind", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    cols = columns(args.columns_per_kind, args.seed)
    clf = Classifier()
    clf.classify("warmup", ["a@b.org"])
    started = time.perf_counter()
    stats: dict[str, dict[str, int]] = {}
    errors = []
    for kind, entity, name, values in cols:
        got = {e.entity for e in clf.classify(name, values).entities}
        truth = {entity} if entity else set()
        for e in truth | got:
            row = stats.setdefault(e, {"tp": 0, "fp": 0, "fn": 0})
            if e in truth and e in got:
                row["tp"] += 1
            elif e in got:
                row["fp"] += 1
                errors.append(f"false alarm {e} on {kind} column {name!r}")
            else:
                row["fn"] += 1
                errors.append(f"missed {e} on {kind} column {name!r}")
        for e in truth:
            stats.setdefault(e, {"tp": 0, "fp": 0, "fn": 0})
    elapsed = time.perf_counter() - started
    report = {}
    for e, r in sorted(stats.items()):
        p = r["tp"] / (r["tp"] + r["fp"]) if r["tp"] + r["fp"] else 1.0
        rec = r["tp"] / (r["tp"] + r["fn"]) if r["tp"] + r["fn"] else 1.0
        report[e] = {**r, "precision": round(p, 3), "recall": round(rec, 3)}
    summary = {
        "columns": len(cols),
        "kinds": len(KINDS),
        "entities": sum(1 for k in KINDS.values() if k.entity),
        "locales": LOCALES,
        "seed": args.seed,
        "seconds": round(elapsed, 1),
        "per_entity": report,
        "errors": errors,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    n_ent = summary["entities"]
    print(f"{len(cols)} columns ({n_ent} entity kinds + {len(KINDS) - n_ent} non-sensitive kinds), "
          f"{len(LOCALES)} locales, seed {args.seed}, {elapsed:.1f} s")  # fmt: skip
    print(f"{'entity':22} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}")
    for e, r in report.items():
        flag = "" if r["precision"] >= 0.95 and r["recall"] >= 0.95 else "   < 0.95"
        counts = f"{r['tp']:4} {r['fp']:4} {r['fn']:4}"
        print(f"{e:22} {counts} {r['precision']:9.3f} {r['recall']:7.3f}{flag}")
    for line in errors:
        print("  " + line)


if __name__ == "__main__":
    main()
