"""Reads and writes of data: pandas, polars, pyarrow, Spark, SQLAlchemy/DB-API, HF datasets.

SQL strings (``pd.read_sql``, ``spark.sql``, ``conn.execute``) go to the SQL ingestor through
``ctx.sql``; the tables it reads become the provenance of the returned value.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

from ingest.notebook.recognisers.common import (
    copy_from_url,
    dataset_at,
    hf_dataset,
    hf_repo_like,
    is_model,
    is_tooling,
    read_location,
    write_location,
)
from ingest.notebook.recognisers.downloads import kaggle_dataset
from ingest.notebook.recognisers.managed import expr_text
from ingest.notebook.recognisers.pgai import bind_params, pgai_facts, pgai_reads
from ingest.notebook.recognisers.registry import Call, Handler, Rule
from ingest.notebook.recognisers.training import save_model_file
from ingest.notebook.values import Val, union
from ingest.vector_config.naming import url_port
from lineage import ids
from lineage.model import Kind

__all__ = ["RULES", "SPARK_NAMESPACE", "sql_target"]

SPARK_NAMESPACE = "spark"
_DB_SCHEMES = {
    "postgresql": ("postgres", "postgres", 5432),
    "postgres": ("postgres", "postgres", 5432),
    "mysql": ("mysql", "mysql", 3306),
    "mariadb": ("mysql", "mysql", 3306),
    "mssql": ("sqlserver", "tsql", 1433),
    "oracle": ("oracle", "oracle", 1521),
    "snowflake": ("snowflake", "snowflake", None),
    "redshift": ("redshift", "redshift", 5439),
    "bigquery": ("bigquery", "bigquery", None),
    "trino": ("trino", "trino", 8080),
    "duckdb": ("duckdb", "duckdb", None),
    "sqlite": ("sqlite", "sqlite", None),
}


def sql_target(url: str) -> tuple[str, str]:
    """(namespace, sqlglot dialect) for a database URL; credentials are dropped.

    >>> sql_target("postgresql+psycopg2://u:pw@db.internal:5432/shop")
    ('postgres://db.internal:5432', 'postgres')
    """
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0].lower()
    family, dialect, port = _DB_SCHEMES.get(scheme, (scheme or "sql", "ansi", None))
    if family in ("sqlite", "duckdb", "bigquery") or not parts.hostname:
        return family, dialect
    return f"{family}://{parts.hostname.lower()}:{url_port(parts) or port or ''}".rstrip(
        ":"
    ), dialect


def _engine(call: Call) -> Val | None:
    url = call.text(0, "url", "name_or_url")
    if url is None:
        return Val(tag="sqlalchemy.Engine")
    namespace, dialect = sql_target(url)
    return Val(tag="sqlalchemy.Engine").with_attrs(namespace=namespace, dialect=dialect)


def _db_connect(family: str, dialect: str) -> Handler:
    def handler(call: Call) -> Val | None:
        target = call.text(0, "database", "dsn", "host")
        if target and "://" in target:
            namespace, dialect_ = sql_target(target)
            return Val(tag="dbapi.Connection").with_attrs(namespace=namespace, dialect=dialect_)
        return Val(tag="dbapi.Connection").with_attrs(namespace=family, dialect=dialect)

    return handler


def _same_connection(call: Call) -> Val | None:
    return Val(tag="dbapi.Connection", attrs=call.recv.attrs) if call.recv.attrs else None


def _session(call: Call) -> Val | None:
    """``Session(engine)`` / ``Session(bind=engine)``: statements run on the engine's database;
    ``sessionmaker(bind=engine)`` is a factory of such sessions (``s = Session()``), also
    when bound later (``factory.configure(bind=engine)``)."""
    factory = call.method in ("sessionmaker", "configure")
    engine = call.arg(None if call.method == "configure" else 0, "bind")
    if engine.tag != "sqlalchemy.Engine" and not factory:
        return None
    attrs = {"session": True, **engine.attrs}
    made = Val(tag="sqlalchemy.orm.sessionmaker" if factory else "dbapi.Connection").with_attrs(
        **attrs
    )
    if call.method == "configure" and call.recv_name:
        call.ctx.rebind(call.recv_name, made)
    return made


def _run_sql(pos: int, con_pos: int | None, *kws: str, default_ns: str = "", dialect: str = ""):
    def handler(call: Call) -> Val | None:
        text = call.text(pos, *kws)
        con = call.recv if con_pos is None else call.arg(con_pos, "con", "connection")
        namespace = con.attrs.get("namespace") or default_ns or "sql"
        if text is None:
            return _run_statement(call, call.arg(pos, *kws), namespace)
        params = call.arg(None if con_pos is not None else pos + 1, "params", "parameters")
        text = bind_params(text, params.const)
        ai = pgai_facts(call, text, namespace)  # SQL-side AI functions (pgai)
        read = call.ctx.sql(
            text, namespace=namespace, dialect=con.attrs.get("dialect") or dialect or "ansi"
        )
        read = pgai_reads(call, read | _pragma_reads(call, text, namespace))
        for model in ai:
            if ids.kind_of(model) is Kind.MODEL:  # ``ai.ollama_generate(...)`` is sent the
                call.ctx.flow_into(read | params.carried(), model)  # rows and bound values
        read |= ai
        if con_pos is None and con.tag == "dbapi.Connection" and call.recv_name:
            # a DB-API cursor holds the rows until ``fetchall()`` / ``fetchone()`` reads them
            call.ctx.rebind(call.recv_name, replace(con, data=read))
        return Val(tag="pandas.DataFrame", data=read)

    return handler


_PRAGMA = re.compile(
    r"\bpragma\s+(?:table_x?info|index_list|foreign_key_list)\s*\(\s*['\"]?(\w+)", re.I
)


def _pragma_reads(call: Call, text: str, namespace: str) -> frozenset[str]:
    """SQLite ``PRAGMA table_info(employees)``: the table's schema is read (the SQL parser
    sees no table in a PRAGMA)."""
    found = set()
    for m in _PRAGMA.finditer(text):
        uid = ids.dataset_id(namespace, m.group(1))
        call.ctx.out.node(uid)
        call.ctx.out.reads(uid)
        found.add(uid)
    return frozenset(found)


def _run_statement(call: Call, stmt: Val, namespace: str) -> Val | None:
    """An SQLAlchemy Core statement (``insert(table).values(...)``, ``select(table)``)."""
    table = stmt.attrs.get("sql_table")
    if not table:
        return None
    from lineage import ids

    uid = ids.dataset_id(namespace, table)
    call.ctx.out.node(
        uid,
        fields=stmt.attrs.get("fields") or None,
        field_types=stmt.attrs.get("field_types") or None,
    )
    if stmt.attrs.get("sql_op") == "select":
        call.ctx.out.reads(uid)
        return Val(tag="sqlalchemy.Result", data=frozenset({uid}))
    call.ctx.out.writes(uid)
    call.ctx.flow_into(stmt.carried() | call.ctx.loop_data, uid)
    return Val()


def _sa_column(call: Call) -> Val | None:
    name = call.text(0, "name")
    kind = call.arg(1, "type_")
    type_name = kind.tag.rsplit(".", 1)[-1].removesuffix("()") if kind.tag else ""
    return Val(tag=call.qual).with_attrs(column=name or "", column_type=type_name)


def _sa_table(call: Call) -> Val | None:
    name = call.text(0, "name")
    if not name:
        return None
    columns = [a for a in call.args[2:] if a.attrs.get("column")]
    schema = call.text(None, "schema")
    return Val(tag="sqlalchemy.Table").with_attrs(
        sql_table=f"{schema}.{name}" if schema else name,
        fields=[c.attrs["column"] for c in columns],
        field_types=[c.attrs["column_type"] for c in columns],
    )


def _sa_statement(op: str):
    def handler(call: Call) -> Val | None:
        table = call.arg(0, "table")
        if not table.attrs.get("sql_table"):
            return None
        return Val(tag=f"sqlalchemy.{op}", attrs=table.attrs).with_attrs(sql_op=op)

    return handler


def _sa_values(call: Call) -> Val | None:
    """``stmt.values(**row)`` / ``.where(...)``: the statement, now carrying the row data."""
    if not call.recv.attrs.get("sql_table"):
        return None
    merged = union([call.recv, *call.args, *call.kwargs.values()])
    return Val(tag=call.recv.tag, data=merged.data, attrs=call.recv.attrs)


def _read_sql_table(call: Call) -> Val | None:
    table = call.text(0, "table_name")
    con = call.arg(1, "con")
    if not table:
        return None
    read = call.ctx.sql(
        f"SELECT * FROM {table}",  # noqa: S608 - analysed, never executed
        namespace=con.attrs.get("namespace") or "sql",
        dialect=con.attrs.get("dialect") or "ansi",
    )
    return Val(tag="pandas.DataFrame", data=read)


def _to_sql(call: Call) -> Val | None:
    table = call.text(0, "name")
    con = call.arg(1, "con")
    if not table:
        return None
    from lineage import ids

    uid = ids.dataset_id(con.attrs.get("namespace") or "sql", table)
    call.ctx.out.node(uid)
    call.ctx.out.writes(uid)
    call.ctx.flow_into(call.recv.carried(), uid)
    return Val(data=frozenset({uid}))


def _spark_table(call: Call) -> Val | None:
    table = call.text(0, "tableName", "name")
    if not table:
        return None
    from lineage import ids

    uid = ids.dataset_id(SPARK_NAMESPACE, table)
    call.ctx.out.node(uid)
    if call.method in ("saveAsTable", "insertInto"):
        call.ctx.out.writes(uid)
        call.ctx.flow_into(call.recv.carried(), uid)
    else:
        call.ctx.out.reads(uid)
    return Val(tag="pyspark.sql.DataFrame", data=frozenset({uid}))


_READER = "spark.read.reader"  # a DataFrameReader being configured (format, options)


def _spark_reader(call: Call) -> Val | None:
    """``spark.read.format("bigquery").option("table", t)``: what a later ``load`` reads."""
    attrs = dict(call.recv.attrs) if call.recv.tag == _READER else {}
    options = dict(attrs.get("options") or {})
    if call.method == "format":
        attrs["format"] = call.text(0, "source")
    elif call.method == "option":
        key = call.text(0, "key")
        if key:
            options[key.lower()] = call.arg(1, "value").const
    else:
        options.update({k.lower(): v.const for k, v in call.kwargs.items()})
    return Val(tag=_READER).with_attrs(**{**attrs, "options": options})


def _spark_load(call: Call) -> Val | None:
    """``reader.load(path)``, or a table named in the options (BigQuery, JDBC ``dbtable``)."""
    options = call.recv.attrs.get("options") or {}
    path = call.text(0, "path") or options.get("path")
    if isinstance(path, str):
        uid = dataset_at(call, path, format=call.recv.attrs.get("format"))
        if uid:
            call.ctx.out.reads(uid)
            return Val(tag=_SPARK_DF, data=frozenset({uid}))
        return None
    table = options.get("table") or options.get("dbtable")
    if not isinstance(table, str):
        return None
    from lineage import ids

    uid = ids.dataset_id(call.recv.attrs.get("format") or SPARK_NAMESPACE, table)
    call.ctx.out.node(uid)
    call.ctx.out.reads(uid)
    return Val(tag=_SPARK_DF, data=frozenset({uid}))


_LOCAL_BUILDERS = {
    "csv",
    "json",
    "parquet",
    "text",
    "arrow",
    "imagefolder",
    "audiofolder",
    "pandas",
}


def _load_dataset(call: Call) -> Val | None:
    path = call.text(0, "path")
    if path is None:
        return None
    if path in _LOCAL_BUILDERS or not hf_repo_like(path):
        files = call.arg(None, "data_files", "data_dir")
        found: set[str] = set()
        for text in _texts(files) or ([path] if path not in _LOCAL_BUILDERS else []):
            uid = dataset_at(call, text, format=path if path in _LOCAL_BUILDERS else None)
            if uid:
                call.ctx.out.reads(uid)
                found.add(uid)
        return Val(tag="datasets.Dataset", data=frozenset(found) | files.data)
    uid = hf_dataset(call, path, config=call.text(1, "name"), split=call.text(None, "split"))
    return Val(tag="datasets.Dataset", data=frozenset({uid}))


def _texts(value: Val) -> list[str]:
    if isinstance(value.const, str):
        return [value.const]
    if isinstance(value.const, (list, tuple)):
        return [v for v in value.const if isinstance(v, str)]
    if isinstance(value.const, dict):
        out: list[str] = []
        for v in value.const.values():
            out += [v] if isinstance(v, str) else [x for x in v or () if isinstance(x, str)]
        return out
    return []


def _push_dataset(call: Call) -> Val | None:
    """``ds.push_to_hub(repo)`` on data (model pushes are handled in the training table)."""
    repo = call.text(0, "repo_id")
    if not repo or is_model(call.recv) or call.recv.attrs.get("role"):
        return None
    if not (call.recv.data or call.recv.tag.startswith("datasets.")):
        return None  # a tokenizer or processor pushed beside a model: not data
    uid = hf_dataset(call, repo)
    call.ctx.out.writes(uid)
    call.ctx.flow_into(call.recv.carried(), uid)
    return Val(data=frozenset({uid}))


def _open(call: Call) -> Val | None:
    path = call.text(0, "file")
    mode = call.text(1, "mode") or "r"
    if path is None:
        return None
    uid = dataset_at(call, path)
    if uid is None:
        return None
    if any(m in mode for m in "wax+"):
        call.ctx.out.writes(uid)
        return Val(tag="io.File").with_attrs(writes_to=uid, path=path)
    call.ctx.out.reads(uid)
    return Val(tag="io.File", data=frozenset({uid}))


def _retrieve(call: Call) -> Val | None:
    """``urlretrieve(url, "data/x.csv")`` / ``wget.download(url, out=...)``: the URL is read
    and, when the local copy is named, written there (the copy carries the URL's data)."""
    return copy_from_url(call, call.text(0, "url"), call.text(1, "filename", "out", "output"))


_read_url = read_location(0, "url", "urlpath")


def _url_read(call: Call) -> Val | None:
    url = call.text(0, "url", "urlpath")
    if url and ("://" not in url or is_tooling(url)):
        return None  # ``requests.get(f"{base_url}/...")``: a service whose address is not known
    return _read_url(call)


def _file_write(call: Call) -> Val | None:
    target = call.recv.attrs.get("writes_to")
    if not target:
        return None
    written = call.arg(0, "s")
    if is_model(written) and call.recv.attrs.get("path"):
        # ``f.write(onnx_model.SerializeToString())``: the file is the model, saved
        return save_model_file(call, written, call.recv)
    call.ctx.flow_into(union(call.args).carried() | call.ctx.loop_data, target)
    return Val()


def _dump(obj_pos: int, file_pos: int):
    """``json.dump(obj, f)`` / ``pickle.dump`` / ``joblib.dump(obj, path)`` of data."""

    def handler(call: Call) -> Val | None:
        obj = call.arg(obj_pos, "obj", "value")
        target = call.arg(file_pos, "fp", "file", "filename")
        if is_model(obj) or obj.attrs.get("role") in ("estimator", "model"):
            return None  # a model save: the training table's row handles it
        uid = target.attrs.get("writes_to")
        if uid is None and target.text:
            uid = dataset_at(call, target.text)
            if uid:
                call.ctx.out.writes(uid)
        if uid:
            call.ctx.flow_into(obj.carried(), uid)
        return Val()

    return handler


_LOADER_KWS = (
    "file_path",
    "path",
    "web_path",
    "web_paths",
    "url",
    "urls",
    "input_dir",
    "input_files",
    "dataset_name",
    "data_dir",
)


def _loader(call: Call) -> Val | None:
    """LangChain document loaders / LlamaIndex readers: the documents they load are data."""
    cls = call.qual.rsplit(".", 1)[-1]
    repo = call.text(None, "repo")
    if repo and "GitHub" in cls:
        uid = dataset_at(call, f"https://github.com/{repo}", platform="github")
    elif "HuggingFaceDataset" in cls and call.text(0, "path", "dataset_name"):
        uid = hf_dataset(call, call.text(0, "path", "dataset_name") or "")
    else:
        found = [t for t in _texts(call.arg(0, *_LOADER_KWS)) if t]
        uids = {u for u in (dataset_at(call, t, loader=cls) for t in found) if u}
        for uid in uids:
            call.ctx.out.reads(uid)
        return Val(tag=call.qual, data=frozenset(uids) | call.inputs().data)
    if uid:
        call.ctx.out.reads(uid)
    return Val(tag=call.qual, data=frozenset({uid}) if uid else frozenset())


def _join_path(call: Call) -> Val | None:
    """``os.path.join`` / ``Path(...)`` of constants folds to the path (for later reads)."""
    parts = [a.const for a in call.args]
    if parts and all(isinstance(p, str) for p in parts):
        return Val(tag="pathlib.Path", const=posixpath.join(*parts))
    return None


_WILDCARD = re.compile(r"[*?\[]")


def _list_folder(call: Call) -> Val | None:
    """``glob.glob("docs/*.pdf")``, ``os.listdir(d)``, ``os.walk(d)``, ``Path(d).glob(...)``:
    the files of a folder, listed to be read next; the folder is the dataset read."""
    on_path = call.qual.startswith("pathlib.")
    text = call.recv.text if on_path else call.text(0, "pathname", "path", "top")
    if not text:
        return None
    parts = text.split("/")
    while parts and _WILDCARD.search(parts[-1]):  # the pattern's fixed leading folders
        parts.pop()
    folder = "/".join(parts).rstrip("/")
    if folder in ("", ".", "~") or _WILDCARD.search(folder):
        return None
    uid = dataset_at(call, folder)
    if uid is None:
        return None
    call.ctx.out.reads(uid)
    return Val(tag=call.qual, data=frozenset({uid}))


def _urljoin(call: Call) -> Val | None:
    """``urljoin(BASE_URL, "file.csv")`` of constants folds to the URL (for later reads)."""
    base, ref = call.text(0, "base"), call.text(1, "url")
    return Val(const=urljoin(base, ref)) if base is not None and ref is not None else None


def _sklearn_dataset(call: Call) -> Val | None:
    """``fetch_california_housing()`` / ``load_iris()`` / ``fetch_openml("mnist_784")``: a
    public dataset scikit-learn downloads (or ships), named as the loader names it."""
    name = call.method.removeprefix("fetch_").removeprefix("load_")
    if name == "openml":
        data_id = call.arg(None, "data_id").const
        name = call.text(0, "name") or (f"openml:{data_id}" if data_id is not None else "")
    if not name or name in ("files", "svmlight_file", "svmlight_files", "sample_image"):
        return None  # a local folder or file the caller names: not a public dataset
    uid = ids.dataset_id("sklearn", name)
    call.ctx.out.node(uid, platform="sklearn")
    call.ctx.out.reads(uid)
    return Val(tag="sklearn.utils.Bunch", data=frozenset({uid}))


def _kaggle_download(call: Call) -> Val | None:
    """Kaggle's API: ``api.dataset_download_files("owner/name", path="data/")``,
    ``competition_download_files("titanic")``, ``kagglehub.dataset_download("owner/name")``:
    the Kaggle dataset is read and, when the folder is named, written there."""
    ref = call.text(0, "dataset", "competition", "handle")
    if not ref:
        return None
    return kaggle_dataset(call.ctx, ref, call.text(None, "path"))


def _s3_get_object(call: Call) -> Val | None:
    """boto3 ``s3.get_object(Bucket=b, Key=k)``: the object is read (its ``["Body"]``)."""
    bucket, key = expr_text(call, None, "Bucket"), expr_text(call, None, "Key")
    if not bucket or not key:
        return None
    uid = dataset_at(call, f"s3://{bucket}/{key.lstrip('/')}")
    if uid is None:
        return None
    call.ctx.out.reads(uid)
    return Val(tag="boto3.s3.Object", data=frozenset({uid}))


def _zip_literals(call: Call) -> Val | None:
    """``zip(urls, filenames)`` of literal lists: the pairs, so that ``for url, name in ...``
    reads each URL into each file (as a literal list is iterated item by item)."""
    lists = [a.const for a in call.args]
    if not lists or call.kwargs or not all(isinstance(c, (list, tuple)) for c in lists):
        return None
    return Val(const=[tuple(t) for t in zip(*lists, strict=False)])


def _es_bulk(call: Call) -> Val | None:
    """``helpers.bulk(client, actions)``: the index is in each action's ``_index``."""
    client = call.arg(0, "client")
    actions = call.arg(1, "actions")
    index = call.text(None, "index") or actions.attrs.get("consts", {}).get("_index")
    if client.attrs.get("role") != "vector_client" or not isinstance(index, str):
        return None
    from ingest.notebook.recognisers import vector

    vector.embed_into(call, vector.index_for(call, client, index), actions)
    return Val()


def _reader_load(call: Call) -> Val | None:
    texts = _texts(call.arg(0, "urls", "file", "input_files", "file_path", "path"))
    loader = call.qual.rsplit(".", 2)[-2]
    uids = {u for u in (dataset_at(call, t, loader=loader) for t in texts) if u}
    for uid in uids:
        call.ctx.out.reads(uid)
    return Val(tag=call.qual, data=frozenset(uids) | call.inputs().data)


_PD = "pandas.DataFrame"
_PL = "polars.DataFrame"
_ARROW = "pyarrow.Table"
_SPARK_DF = "pyspark.sql.DataFrame"

RULES: tuple[Rule, ...] = (
    # SQL through a connection: the SQL ingestor reads the text.
    Rule(("sqlalchemy.create_engine", "sqlmodel.create_engine"), _engine, "database engines"),
    Rule(("sqlalchemy.text",), lambda c: c.arg(0), "SQL text wrapper"),
    Rule(("sqlalchemy.Column", "sqlalchemy.schema.Column"), _sa_column, "Core columns"),
    Rule(("sqlalchemy.Table", "sqlalchemy.schema.Table"), _sa_table, "Core tables"),
    Rule(("sqlalchemy.insert", "sqlalchemy.update"), _sa_statement("insert"), "Core writes"),
    Rule(("sqlalchemy.select",), _sa_statement("select"), "Core reads"),
    Rule(
        ("sqlalchemy.insert*.values", "sqlalchemy.update*.values", "sqlalchemy.*.where"),
        _sa_values,
        "statement clauses",
    ),
    Rule(("sqlite3.connect",), _db_connect("sqlite", "sqlite"), "sqlite connections"),
    Rule(("duckdb.connect",), _db_connect("duckdb", "duckdb"), "duckdb connections"),
    Rule(("psycopg2.connect", "psycopg.connect"), _db_connect("postgres", "postgres"), "pg"),
    Rule(
        (
            "sqlalchemy.Engine.connect",
            "sqlalchemy.Engine.begin",
            "dbapi.Connection.cursor",
            "sqlalchemy.orm.sessionmaker.__call__",
        ),
        _same_connection,
        "connections from an engine",
    ),
    Rule(
        (
            "sqlalchemy.orm.Session",
            "sqlalchemy.orm.sessionmaker",
            "sqlalchemy.orm.sessionmaker.configure",
            "sqlmodel.Session",
        ),
        _session,
        "ORM sessions on an engine",
    ),
    Rule(
        ("sqlalchemy.Engine.execute", "dbapi.Connection.execute*", "dbapi.Connection.sql"),
        _run_sql(0, None, "statement", "sql", "query"),
        "SQL executed on a connection",
    ),
    Rule(
        ("duckdb.sql", "duckdb.query", "duckdb.execute"),
        _run_sql(0, None, "query", default_ns="duckdb", dialect="duckdb"),
        "duckdb",
    ),
    Rule(
        ("pandas.read_sql", "pandas.read_sql_query", "polars.read_database"),
        _run_sql(0, 1, "sql", "query"),
        "SQL reads into data frames",
    ),
    Rule(("pandas.read_sql_table",), _read_sql_table, "whole-table reads"),
    Rule(("*.to_sql",), _to_sql, "data frame writes to a table"),
    # Spark
    Rule(
        ("spark.sql", "*SparkSession*.sql", "sqlContext.sql", "*.sparkSession.sql"),
        _run_sql(0, None, "sqlQuery", default_ns=SPARK_NAMESPACE, dialect="spark"),
        "spark.sql",
    ),
    Rule(
        ("*.read.format", "*.read.option", "*.read.options", f"{_READER}.*o*"),
        lambda c: _spark_reader(c) if c.method in ("format", "option", "options") else None,
        "Spark reader settings",
    ),
    Rule((f"{_READER}.load",), _spark_load, "Spark reader.load()"),
    Rule(
        ("*.read.table", "spark.table", "*SparkSession*.table", "*.saveAsTable", "*.insertInto"),
        _spark_table,
        "tables",
    ),
    Rule(
        (
            "*.read.parquet",
            "*.read.csv",
            "*.read.json",
            "*.read.orc",
            "*.read.text",
            "*.read.load",
            "*.read.*.load",
            "*.read.*.parquet",
            "*.read.*.csv",
            "*.read.*.json",
        ),
        read_location(0, "path", "paths", tag=_SPARK_DF),
        "Spark reads",
    ),
    Rule(
        (
            "*.write.parquet",
            "*.write.csv",
            "*.write.json",
            "*.write.orc",
            "*.write.text",
            "*.write.save",
            "*.write.*.save",
            "*.write.*.parquet",
            "*.write.*.csv",
        ),
        write_location(0, "path"),
        "Spark writes",
    ),
    # pandas / polars / pyarrow
    Rule(
        (
            "pandas.read_*",
            "pyspark.pandas.read_*",
            "databricks.koalas.read_*",
            "modin.pandas.read_*",
        ),
        read_location(0, tag=_PD),
        "pandas reads",
    ),
    Rule(("polars.read_*", "polars.scan_*"), read_location(0, tag=_PL), "polars reads"),
    Rule(("geopandas.read_*", "geopandas.*.read_*"), read_location(0, "filename"), "geopandas"),
    Rule(
        (
            "pyarrow.parquet.read_table",
            "pyarrow.parquet.ParquetFile",
            "pyarrow.csv.read_csv",
            "pyarrow.json.read_json",
            "pyarrow.feather.read_table",
            "pyarrow.dataset.dataset",
        ),
        read_location(0, "source", tag=_ARROW),
        "pyarrow reads",
    ),
    Rule(
        ("pyarrow.parquet.write_table", "pyarrow.csv.write_csv", "pyarrow.feather.write_feather"),
        write_location(1, "where", "output_file", "dest", data_pos=0),
        "pyarrow writes",
    ),
    Rule(
        (
            "*.to_parquet",
            "*.to_csv",
            "*.to_json",
            "*.to_excel",
            "*.to_feather",
            "*.to_pickle",
            "*.to_orc",
            "*.write_parquet",
            "*.write_csv",
            "*.write_json",
            "*.write_ndjson",
            "*.write_ipc",
            "*.sink_parquet",
            "*.save_to_disk",
        ),
        write_location(0, "path", "path_or_buf", "file", "dataset_path"),
        "data frame and dataset writes",
    ),
    # Hugging Face datasets
    Rule(("datasets.load_dataset",), _load_dataset, "Hugging Face datasets"),
    Rule(("boto3.s3.get_object",), _s3_get_object, "S3 object reads"),
    Rule(
        (
            "kaggle.*.dataset_download_file*",
            "kaggle.*.competition_download_file*",
            "kagglehub.dataset_download",
            "kagglehub.competition_download",
        ),
        _kaggle_download,
        "Kaggle downloads",
    ),
    Rule(
        ("sklearn.datasets.fetch_*", "sklearn.datasets.load_*"),
        _sklearn_dataset,
        "scikit-learn public datasets",
    ),
    Rule(
        ("datasets.load_from_disk", "datasets.Dataset.load_from_disk", "datasets.Dataset.from_*"),
        read_location(0, "dataset_path", "path", tag="datasets.Dataset"),
        "datasets from disk/files",
    ),
    Rule(("*.push_to_hub",), _push_dataset, "dataset pushes to the Hub"),
    # document loaders (RAG inputs)
    Rule(
        ("langchain*.*Loader", "llama_index*.*Reader", "llama_index*.download_loader()"),
        _loader,
        "document loaders and readers",
    ),
    Rule(
        ("llama_index*.load_data", "*Reader*.load_data", "*download_loader()*.load_data"),
        _reader_load,
        "LlamaIndex reader.load_data(urls/files)",
    ),
    # plain files
    Rule(("os.path.join", "posixpath.join", "pathlib.Path", "pathlib.PurePath"), _join_path, ""),
    Rule(
        (
            "glob.glob",
            "glob.iglob",
            "pathlib.Path.glob",
            "pathlib.Path.rglob",
            "pathlib.Path.iterdir",
        ),
        _list_folder,
        "the files of a folder, listed to be read",
    ),
    Rule(("urllib.parse.urljoin", "urlparse.urljoin"), _urljoin, "URLs joined from constants"),
    Rule(("zip",), _zip_literals, "zip of literal lists"),
    Rule(
        ("elasticsearch.helpers.bulk", "opensearchpy.helpers.bulk", "elasticsearch.helpers.*bulk"),
        _es_bulk,
        "Elasticsearch/OpenSearch bulk indexing",
    ),
    Rule(
        ("open", "io.open", "builtins.open", "codecs.open", "tensorflow.io.gfile.GFile"),
        _open,
        "open() and TensorFlow's GFile (local or gs:// paths)",
    ),
    # reads by URL (issue 15): the bytes fetched are data the notebook goes on to use
    Rule(
        (
            "urllib.request.urlretrieve",
            "urllib.urlretrieve",
            "wget.download",
            "gdown.download",
            "gdown.download_folder",
        ),
        _retrieve,
        "downloads to a local copy",
    ),
    Rule(
        (
            "urllib.request.urlopen",
            "urllib.urlopen",
            "urllib2.urlopen",
            "requests.get",
            "httpx.get",
            "requests.request",
            "fsspec.open",
        ),
        _url_read,
        "reads by URL",
    ),
    Rule(("io.File.write", "io.File.writelines"), _file_write, "file writes"),
    Rule(("json.dump", "pickle.dump", "yaml.dump", "yaml.safe_dump"), _dump(0, 1), "dumps"),
    Rule(
        ("json.load", "pickle.load", "yaml.safe_load", "yaml.load", "json.dumps", "json.loads"),
        lambda c: c.arg(0),
        "serialisation keeps the value",
    ),
)
