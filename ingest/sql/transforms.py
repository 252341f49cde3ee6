"""How a source column reaches an output: OpenLineage column-lineage transformation terms.

DIRECT means the output value is made from the input value (IDENTITY, TRANSFORMATION,
AGGREGATION); INDIRECT means the input only decides which rows or what order (FILTER,
JOIN, GROUP_BY, SORT, WINDOW, CONDITIONAL). ``masking`` marks a value that went through a
hashing, encryption, masking or redaction function. Sensitivity propagation depends on
these: INDIRECT edges carry no values, masking and aggregation stop entity labels.

The masking functions are a configurable list (:class:`MaskingPolicy`); the default covers
the common hash, encryption and masking functions of the dialects we read, and
``regexp_replace`` when its replacement is a constant (redaction).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlglot import exp

__all__ = [
    "DEFAULT_MASKING_FUNCTIONS",
    "IDENTITY",
    "MaskingPolicy",
    "Subtype",
    "Transformation",
    "classify",
    "compose",
    "indirect",
]


class Subtype(StrEnum):
    IDENTITY = "IDENTITY"
    TRANSFORMATION = "TRANSFORMATION"
    AGGREGATION = "AGGREGATION"
    FILTER = "FILTER"
    JOIN = "JOIN"
    GROUP_BY = "GROUP_BY"
    SORT = "SORT"
    WINDOW = "WINDOW"
    CONDITIONAL = "CONDITIONAL"

    @property
    def type(self) -> str:
        return "DIRECT" if self in _DIRECT else "INDIRECT"


_DIRECT = frozenset({Subtype.IDENTITY, Subtype.TRANSFORMATION, Subtype.AGGREGATION})
#: Subtypes that apply to the whole output (every row), not to one output column.
DATASET_WIDE = frozenset({Subtype.FILTER, Subtype.JOIN, Subtype.GROUP_BY, Subtype.SORT})


@dataclass(frozen=True, slots=True, order=True)
class Transformation:
    subtype: Subtype
    masking: bool = False

    @property
    def type(self) -> str:
        return self.subtype.type

    def to_dict(self) -> dict[str, object]:
        return {"type": self.type, "subtype": self.subtype.value, "masking": self.masking}


IDENTITY = Transformation(Subtype.IDENTITY)


def indirect(subtype: Subtype) -> Transformation:
    return Transformation(subtype)


def compose(outer: Transformation, inner: Transformation) -> Transformation:
    """The transformation of a path: ``inner`` (nearer the source), then ``outer``."""
    masking = outer.masking or inner.masking
    if outer.type == "INDIRECT":
        return Transformation(outer.subtype, masking)
    if inner.type == "INDIRECT":
        return Transformation(inner.subtype, masking)
    if Subtype.AGGREGATION in (outer.subtype, inner.subtype):
        return Transformation(Subtype.AGGREGATION, masking)
    if outer.subtype is Subtype.IDENTITY and inner.subtype is Subtype.IDENTITY:
        return Transformation(Subtype.IDENTITY, masking)
    return Transformation(Subtype.TRANSFORMATION, masking)


_HASHING = """
    md5 md5_hex md5_binary md5_digest md5_number_lower64 md5_number_upper64
    sha sha1 sha1_hex sha1_binary sha1_digest sha2 sha2_hex sha2_binary sha2_digest sha_digest
    sha224 sha256 sha384 sha512 hash hash_agg hashbytes xxhash64 xxhash3 murmur3
    murmur_hash3_32 farm_fingerprint crc32 checksum binary_checksum fnv_hash standard_hash
    ora_hash digest hmac keyed_hash approx_hash
"""
_ENCRYPTION = """
    encrypt encrypt_raw aes_encrypt aes_encrypt_mysql try_aes_encrypt pgp_sym_encrypt
    pgp_pub_encrypt encryptbykey encryptbypassphrase encryptbycert encryptbyasymkey
    deterministic_encrypt deterministic_encrypt_bytes aead.encrypt
"""
_MASKING = """
    mask mask_hash mask_first_n mask_last_n mask_show_first_n mask_show_last_n mask_inner
    mask_outer redact tokenize anonymize pseudonymize default_mask
"""
DEFAULT_MASKING_FUNCTIONS: frozenset[str] = frozenset((_HASHING + _ENCRYPTION + _MASKING).split())


@dataclass(frozen=True, slots=True)
class MaskingPolicy:
    """Which function names count as masking (lower-case, dialect prefixes allowed)."""

    functions: frozenset[str] = DEFAULT_MASKING_FUNCTIONS
    regexp_replace_redacts: bool = True

    @classmethod
    def with_functions(cls, extra: Iterable[str] = (), *, only: bool = False) -> MaskingPolicy:
        names = frozenset(f.strip().lower() for f in extra if f.strip())
        return cls(names if only else DEFAULT_MASKING_FUNCTIONS | names)

    def masks(self, node: exp.Expr) -> bool:
        if isinstance(node, exp.RegexpReplace):
            replacement = node.args.get("replacement")
            return self.regexp_replace_redacts and isinstance(replacement, exp.Literal)
        if not isinstance(node, exp.Func):
            return False
        names = self._normalised()
        return any(
            n and (n in names or n.rsplit(".", 1)[-1] in names) for n in _function_names(node)
        )

    def _normalised(self) -> frozenset[str]:
        cached = _NORMALISED.get(self.functions)
        if cached is None:
            cached = _NORMALISED[self.functions] = frozenset(
                f.replace("_", "") for f in self.functions
            )
        return cached


_NORMALISED: dict[frozenset[str], frozenset[str]] = {}


def _function_names(node: exp.Func) -> tuple[str, ...]:
    """Names a function goes by, underscores dropped (sqlglot spells some S_H_A2_DIGEST)."""
    if isinstance(node, exp.Anonymous):
        return (str(node.name).lower().replace("_", ""),)
    return (
        node.sql_name().lower().replace("_", ""),
        type(node).__name__.lower(),
    )


def classify(column: exp.Expr, root: exp.Expr, policy: MaskingPolicy) -> Transformation:
    """How the value of ``column`` reaches the value of ``root`` (its select expression)."""
    masking = False
    aggregated = False
    node = column
    parent = node.parent
    if isinstance(root, exp.Alias):
        root = root.this
    if node is root:
        return IDENTITY
    while parent is not None and node is not root:
        if isinstance(parent, exp.Window) and node is not parent.this:
            return Transformation(Subtype.WINDOW, masking)
        if isinstance(parent, exp.If) and node is parent.this:
            return Transformation(Subtype.CONDITIONAL, masking)
        if isinstance(parent, exp.Case) and node is parent.this:
            return Transformation(Subtype.CONDITIONAL, masking)
        if isinstance(parent, exp.Filter) and node is parent.expression:
            return Transformation(Subtype.CONDITIONAL, masking)
        if isinstance(parent, exp.AggFunc):
            aggregated = True
        if policy.masks(parent):  # any argument: the value (and a key) come out hashed
            masking = True
        node, parent = parent, parent.parent
    if aggregated:
        return Transformation(Subtype.AGGREGATION, masking)
    return Transformation(Subtype.TRANSFORMATION, masking)
