"""Split a SQL script into statements with their line numbers, and parse each one alone.

One bad statement must not hide the others, so the script is tokenized once, cut at
top-level semicolons, and every piece is parsed on its own. Procedural code (T-SQL and
BigQuery scripts, stored procedure bodies) often runs statements together without
semicolons or wraps them in IF/WHILE/BEGIN blocks; for a piece that does not parse, or that
sqlglot can only keep as an opaque command, the DML inside it is recovered by re-parsing
from each line that starts a statement.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ErrorLevel, SqlglotError
from sqlglot.errors import ParseError as SqlglotParseError
from sqlglot.parser import Parser
from sqlglot.tokens import Token, TokenType

__all__ = ["Statement", "snippet", "split_statements"]

_SNIPPET = 160
_MAX_RECOVERY_STARTS = 60
_STARTS = frozenset(
    {
        TokenType.INSERT,
        TokenType.UPDATE,
        TokenType.DELETE,
        TokenType.MERGE,
        TokenType.CREATE,
        TokenType.WITH,
        TokenType.SELECT,
        TokenType.ALTER,
        TokenType.DROP,
        TokenType.TRUNCATE,
    }
)


class _QuietFallback(logging.Filter):
    """sqlglot logs a warning for every statement it keeps as a Command; we report those."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Falling back to parsing as a 'Command'" not in record.getMessage()


logging.getLogger("sqlglot").addFilter(_QuietFallback())


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement: where it starts (1-based line), its text, and its tree or parse error."""

    line: int
    text: str
    expression: exp.Expr | None = None
    error: str | None = None
    column: int | None = None
    #: the text the tree's token offsets point into (the whole script, or ``text``)
    source: str = ""

    @property
    def snippet(self) -> str:
        return snippet(self.text)


def snippet(text: str) -> str:
    """The statement on one line, cut to a readable length."""
    flat = " ".join(text[: _SNIPPET * 4].split())
    return flat if len(flat) <= _SNIPPET else flat[: _SNIPPET - 3] + "..."


_TOKEN_REPR = re.compile(r"<Token token_type: [\w.]+, text: (.*?), line: \d+, col: \d+.*?>")


def _clean(message: str) -> str:
    """sqlglot messages embed token reprs; keep just the token text."""
    return _TOKEN_REPR.sub(lambda m: repr(m.group(1)), message).strip()


def _error_text(exc: Exception) -> tuple[str, int | None, int | None]:
    errors = getattr(exc, "errors", None) or []
    if errors:
        first = errors[0]
        message = _clean(str(first.get("description") or exc))
        near = str(first.get("highlight") or "").strip()
        if near and near not in message:
            message += f" near {near!r}"
        return message, first.get("line"), first.get("col")
    return _clean(str(exc).split("\n", 1)[0]), None, None


#: Procedural keywords: such a piece is control flow, not a statement to report as bad.
_PROCEDURAL_WORDS = """RAISE THROW LEAVE BREAK CONTINUE RETURN GO END ELSE ELSEIF BEGIN LOOP
    WHILE IF EXCEPTION PRINT EXIT ITERATE REPEAT UNTIL CLOSE OPEN FETCH DEALLOCATE RAISERROR"""
_PROCEDURAL = frozenset(_PROCEDURAL_WORDS.split())
_BARE = (exp.Column, exp.Alias, exp.Identifier, exp.Literal, exp.Paren, exp.Binary, exp.Unary)


_LOCAL = threading.local()


def _parser(dialect: Dialect) -> Parser:
    """One parser per dialect and thread (building one costs more than parsing a line)."""
    cache = getattr(_LOCAL, "parsers", None)
    if cache is None:
        cache = _LOCAL.parsers = {}
    parser = cache.get(id(dialect))
    if parser is None:
        parser = cache[id(dialect)] = dialect.parser(error_level=ErrorLevel.RAISE)
    return parser


def _parse(dialect: Dialect, tokens: list[Token], sql: str) -> exp.Expr | None:
    parser = _parser(dialect)
    try:
        parsed = parser.parse(tokens, sql)
    except SqlglotError:
        raise
    except Exception as exc:  # sqlglot bugs surface as TypeError & co: report, don't crash
        _LOCAL.parsers.pop(id(dialect), None)  # the parser may be left half-way
        raise SqlglotParseError(f"the parser failed ({type(exc).__name__}: {exc})") from exc
    trees = [t for t in parsed if t is not None]
    if len(trees) != 1:
        raise SqlglotParseError(f"expected one statement, found {len(trees)}")
    tree = trees[0]
    if isinstance(tree, _BARE):  # ``SELEC oops`` parses as an aliased column
        if tokens[0].text.upper() in _PROCEDURAL:
            return exp.Command(this=tokens[0].text.upper(), expression=tree.sql())
        raise SqlglotParseError(f"not a SQL statement: {tokens[0].text!r} starts no statement")
    return tree


def _text(sql: str, tokens: list[Token]) -> str:
    return sql[tokens[0].start : tokens[-1].end + 1]


def _recover(dialect: Dialect, sql: str, tokens: list[Token]) -> list[Statement]:
    """Statements found inside a piece that is not one parseable statement."""
    starts = [
        i
        for i, tok in enumerate(tokens)
        if i > 0 and tok.token_type in _STARTS and tok.line != tokens[i - 1].line
    ]
    if tokens[0].token_type in _STARTS:
        starts.insert(0, 0)
    starts = starts[:_MAX_RECOVERY_STARTS]
    found: list[Statement] = []
    i = 0
    while i < len(starts):
        for j in range(i + 1, len(starts) + 1):
            end = starts[j] if j < len(starts) else len(tokens)
            piece = tokens[starts[i] : end]
            try:
                tree = _parse(dialect, piece, sql)
            except SqlglotError:
                continue
            if tree is None or isinstance(tree, exp.Command):
                continue
            found.append(Statement(piece[0].line, _text(sql, piece), tree, source=sql))
            i = j
            break
        else:
            i += 1
    return found


def _pieces(tokens: list[Token]) -> list[list[Token]]:
    pieces: list[list[Token]] = []
    current: list[Token] = []
    for tok in tokens:
        if tok.token_type is TokenType.SEMICOLON:
            if current:
                pieces.append(current)
            current = []
        else:
            current.append(tok)
    if current:
        pieces.append(current)
    return pieces


def _naive(sql: str) -> list[tuple[int, str]]:
    """Fallback split when the script does not even tokenize (say, an open quote)."""
    out: list[tuple[int, str]] = []
    line = 1
    for part in sql.split(";"):
        if part.strip():
            lead = len(part) - len(part.lstrip())
            out.append((line + part[:lead].count("\n"), part.strip()))
        line += part.count("\n")
    return out


def _with_fallbacks(fallbacks: tuple[Dialect, ...], text: str, line: int) -> Statement | None:
    for other in fallbacks:
        try:
            tree = _parse(other, other.tokenize(text), text)
        except SqlglotError:
            continue
        if tree is not None and not isinstance(tree, exp.Command):
            return Statement(line, text, tree, source=text)
    return None


def split_statements(
    sql: str, dialect: Dialect, fallbacks: tuple[Dialect, ...] = ()
) -> list[Statement]:
    """Every statement of ``sql``, in order, each parsed or carrying its parse error.

    ``fallbacks`` are dialects tried for a statement ``dialect`` cannot parse.
    """
    try:
        tokens = dialect.tokenize(sql)
    except (SqlglotError, ValueError, TypeError) as exc:
        message, _, _ = _error_text(exc)
        out = []
        for line, text in _naive(sql):
            try:
                tree = _parse(dialect, dialect.tokenize(text), text)
                out.append(Statement(line, text, tree, source=text))
            except SqlglotError as inner:
                msg, err_line, col = _error_text(inner)
                where = line + (err_line - 1 if err_line else 0)
                out.append(Statement(where, text, None, msg or message, col))
        return out
    statements: list[Statement] = []
    for piece in _pieces(tokens):
        text = _text(sql, piece)
        try:
            tree = _parse(dialect, piece, sql)
        except SqlglotError as exc:
            rescued = _with_fallbacks(fallbacks, text, piece[0].line)
            if rescued is not None:
                statements.append(rescued)
                continue
            recovered = _recover(dialect, sql, piece)
            if recovered:
                statements.extend(recovered)
                continue
            message, err_line, col = _error_text(exc)
            statements.append(Statement(err_line or piece[0].line, text, None, message, col))
            continue
        if isinstance(tree, exp.Command):
            recovered = _recover(dialect, sql, piece)
            if recovered:
                statements.extend(recovered)
                continue
        statements.extend(_expand_multitable(Statement(piece[0].line, text, tree, source=sql)))
    return statements


def _expand_multitable(stmt: Statement) -> list[Statement]:
    """One statement per insert of a multi-table insert, each reading the shared source:
    Hive ``FROM src INSERT ... SELECT ... INSERT ... SELECT ...`` and Snowflake
    ``INSERT ALL|FIRST [WHEN c THEN] INTO t [(cols)] [VALUES (...)] ... SELECT ...``."""
    tree = stmt.expression
    if not isinstance(tree, exp.MultitableInserts):
        return [stmt]
    source = tree.args.get("source")
    out = []
    for item in tree.expressions:
        insert = item.this if isinstance(item, exp.ConditionalInsert) else item
        if not isinstance(insert, exp.Insert):
            continue
        condition = item.args.get("expression") if isinstance(item, exp.ConditionalInsert) else None
        if isinstance(source, exp.Query):  # Snowflake: INTO ... VALUES over the source rows
            values = insert.expression
            row = values.expressions[0].expressions if isinstance(values, exp.Values) else []
            select = exp.Select(expressions=[e.copy() for e in row] or [exp.Star()])
            alias = exp.TableAlias(this=exp.to_identifier("_src"))
            select.set("from_", exp.From(this=exp.Subquery(this=source.copy(), alias=alias)))
            if condition is not None:
                select.set("where", exp.Where(this=condition.copy()))
            insert = exp.Insert(this=insert.this, expression=select)
        elif (  # Hive: each insert's SELECT reads the shared FROM
            isinstance(insert.expression, exp.Select)
            and source is not None
            and not insert.expression.args.get("from_")
        ):
            insert.expression.set("from_", exp.From(this=source.copy()))
        out.append(Statement(stmt.line, stmt.text, insert, source=stmt.source))
    return out
