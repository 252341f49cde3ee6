"""Static analysis of notebook code: an abstract interpreter over Python's ``ast``.

Cells run top to bottom in one global scope, as a notebook does. Values flow through
variables, attributes, containers, comprehensions, ``with``/``for`` targets and user
functions (inlined at each call, a bounded number of times, with their arguments bound),
so ``ds = load_dataset(..)``; ``trainer = Trainer(model, train_dataset=ds)``;
``trainer.train()`` links the dataset to the model however far apart the lines are.

Cells are also *alternatives*: tutorials offer one cell per provider (``llm =
OpenAIChatGenerator(...)``, then ``llm = MistralChatGenerator(...)``), and the reader runs
one. A global rebound in a later cell to another model or index, with the earlier value
never read in between, is such an alternative: what later flows into or out of it flows
for every alternative (:meth:`Collector.alternative`).
Calls are resolved to qualified names and handed to the recogniser table; anything not
recognised still carries the provenance of its inputs.
"""

from __future__ import annotations

import ast
import posixpath
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from ingest.notebook.recognisers import RECOGNISERS, Call, Registry
from ingest.notebook.recognisers.serving import serve_into
from ingest.notebook.values import UNKNOWN, Collector, Val, union
from lineage import ids
from lineage.model import EdgeKind, Kind

__all__ = ["Analyzer"]

_MAX_INLINE_DEPTH = 4
_MAX_INLINES_PER_FUNCTION = 12
_ROLES_NAMED_BY_VAR = ("estimator", "model", "torch_model")
_MISSING: Any = object()
_NO_METHODS: Mapping[str, Val] = MappingProxyType({})
_PLACEHOLDER = re.compile(r"\{[^{}\s]+\}")
_MUTATORS = frozenset({"append", "extend", "update", "add", "insert", "appendleft", "setdefault"})
# values a name keeps when rebound through a call nothing recognises (``x = wrap(x)``)
_CLIENT_ROLES = frozenset({"vector_client", "vector_index"})


def _rebinds_client(node: ast.Call, args: Sequence[Val], target: str) -> bool:
    first = node.args[0] if node.args else None
    return (
        isinstance(first, ast.Name)
        and first.id == target
        and bool(args)
        and args[0].attrs.get("role") in _CLIENT_ROLES
    )


_TORCH_BASES = ("nn.Module", "LightningModule", "keras.Model", "torch.nn.Module")

type SqlHook = Callable[[str, str, str], frozenset[str]]


class Analyzer:
    """Runs cells through the abstract interpreter, recording facts in a :class:`Collector`.

    It is also the :class:`~ingest.notebook.recognisers.Context` handlers see.
    """

    def __init__(
        self,
        out: Collector,
        notebook: str,
        *,
        sql: SqlHook | None = None,
        registry: Registry = RECOGNISERS,
    ) -> None:
        self.out = out
        self.notebook = notebook
        self.base_dir = posixpath.dirname(notebook)
        self.target = ""
        self.loop_data: frozenset[str] = frozenset()
        self.defaults: dict[str, Val] = {}
        self.saved: dict[str, str] = {}
        self.script = ""  # the file a ``%%writefile`` cell writes (its code runs elsewhere)
        self.script_platform = ""  # the managed platform the notebook submits jobs to
        self.cell_data: set[str] = set()
        self._sql = sql
        self._registry = registry
        self._globals: dict[str, Val] = {}
        self._scopes: list[dict[str, Val]] = [self._globals]
        self._returns: list[list[Val]] = []
        self._inlined: dict[int, int] = {}
        self._summarising = 0  # > 0 while reading a function body at its definition
        self._journal: tuple[dict[str, Val], dict[str, Any]] | None = None
        self._lazy: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self._summaries: dict[int, Val] = {}
        self._cell = 0
        self._star: list[str] = []  # modules imported with ``from m import *``
        self._bound_in: dict[str, int] = {}  # global name -> the cell that last bound it
        self._read: set[str] = set()  # names read since they were last bound

    # -- Context protocol ------------------------------------------------------------------

    def rebind(self, name: str, value: Val) -> None:
        for scope in reversed(self._scopes):
            if name in scope:
                self._set(scope, name, value)
                return
        self._set(self._scopes[-1], name, value)

    def _set(self, scope: dict[str, Val], name: str, value: Val) -> None:
        """Every binding goes through here, so a branch can be undone in O(its writes)."""
        journal = self._journal
        if journal is not None and journal[0] is scope and name not in journal[1]:
            journal[1][name] = scope.get(name, _MISSING)
        scope[name] = value

    def sql(self, text: str, *, namespace: str, dialect: str) -> frozenset[str]:
        if self._summarising and _PLACEHOLDER.search(text):
            return frozenset()  # inside a function body: wait for a call with arguments
        return self._sql(text, namespace, dialect) if self._sql else frozenset()

    def local_model(self, name: str) -> str:
        return ids.make(Kind.MODEL, "notebook", f"{self.notebook}#{name}")

    def flow_into(self, sources: Iterable[str], target: str, kind: EdgeKind | None = None) -> None:
        target_kind = ids.kind_of(target)
        for src in sorted(set(sources)):
            if src == target:
                continue
            src_kind = ids.kind_of(src)
            if not src_kind.holds_data or src_kind is Kind.COLUMN:
                continue
            edge = _edge_kind(src_kind, target_kind, kind)
            if edge is EdgeKind.INFER and target_kind is Kind.MODEL and self._is_embedding(src):
                continue  # a vector is no text a model is sent: the data it came from is
            self.out.flow(src, target, edge)

    def _is_embedding(self, uid: str) -> bool:
        return self.out.props(uid).get("model_type") == "embedding"

    # -- entry points ------------------------------------------------------------------------

    def run(self, tree: ast.Module) -> None:
        """Analyse one cell's module (statements share the notebook's global scope)."""
        self.cell_data = set()
        self._cell += 1
        self._block(tree.body)

    def shell(self, command: str) -> None:
        from ingest.notebook.recognisers.serving import shell_endpoints

        shell_endpoints(command, self)

    # -- statements --------------------------------------------------------------------------

    def _block(self, body: Iterable[ast.stmt]) -> None:
        for stmt in body:
            handler = _STMTS.get(type(stmt))
            if handler is not None:
                handler(self, stmt)
            else:
                for child in ast.iter_child_nodes(stmt):
                    if isinstance(child, ast.expr):
                        self.ev(child)

    def _s_import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self._bind(alias.asname, Val(tag=alias.name))
            else:
                top = alias.name.split(".", 1)[0]
                self._bind(top, Val(tag=top))

    def _s_import_from(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        for alias in node.names:
            if alias.name != "*":
                self._bind(alias.asname or alias.name, Val(tag=f"{node.module}.{alias.name}"))
            elif node.module not in self._star:
                self._star.append(node.module)

    def _s_assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if node.value is None:
            return
        self.target = _target_name(targets[0])
        value = self.ev(node.value)
        self.target = ""
        if isinstance(node, ast.AugAssign):
            value = union([self.ev(node.target), value])
        for target in targets:
            self._assign(target, value)

    def _assign(self, target: ast.expr, value: Val) -> None:
        if isinstance(target, ast.Name):
            self._bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            consts = value.const if isinstance(value.const, (tuple, list)) else None
            for i, element in enumerate(target.elts):
                part = Val(const=consts[i]) if consts and i < len(consts) else _derived(value)
                self._assign(element.value if isinstance(element, ast.Starred) else element, part)
        elif isinstance(target, ast.Attribute):
            base = self.ev(target.value)
            if base.tag.endswith("Settings") and base.tag.startswith("llama_index"):
                self.defaults[target.attr] = value
            dotted = _dotted(target)
            if dotted:
                self._set(self._globals, dotted, value)
        elif isinstance(target, ast.Subscript) and _dotted(target.value) == "os.environ":
            key = self.ev(target.slice).const  # SDKs read their settings from the environment
            if isinstance(key, str):
                self.defaults[f"env:{key}"] = value
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            held = self._lookup(target.value.id) or UNKNOWN
            self.rebind(target.value.id, union([held, value]))

    def _bind(self, name: str, value: Val) -> None:
        if value.attrs.get("role") in _ROLES_NAMED_BY_VAR and not value.attrs.get("var"):
            value = value.with_attrs(var=name)
        if self._scopes[-1] is self._globals and not self._summarising:
            self._alternative(name, value)
        self._set(self._scopes[-1], name, value)

    def _alternative(self, name: str, value: Val) -> None:
        """A global rebound in a later cell to another asset of the same kind, its earlier
        value unread since: one of the notebook's alternatives (see the module doc)."""
        prior = self._globals.get(name)
        if (
            prior is not None
            and prior.asset
            and value.asset
            and prior.asset != value.asset
            and self._bound_in.get(name, self._cell) < self._cell
            and name not in self._read
            and ids.kind_of(prior.asset) is ids.kind_of(value.asset)
            and ids.kind_of(value.asset) in (Kind.MODEL, Kind.VECTOR_INDEX)
        ):
            self.out.alternative(value.asset, prior.asset)
        self._bound_in[name] = self._cell
        self._read.discard(name)

    def _s_expr(self, node: ast.Expr) -> None:
        self.ev(node.value)

    def _s_for(self, node: ast.For | ast.AsyncFor) -> None:
        it = self.ev(node.iter)
        outer = self.loop_data
        self.loop_data = outer | it.carried()
        items = _literal_items(it)
        for item in items or (None,):  # a literal list of names/URLs: each one in turn
            self._assign(node.target, Val(const=item) if items else _derived(it))
            self._block(node.body)
        self.loop_data = outer
        self._block(node.orelse)

    def _s_while(self, node: ast.While) -> None:
        self.ev(node.test)
        self._block(node.body)
        self._block(node.orelse)

    def _s_if(self, node: ast.If) -> None:
        self.ev(node.test)  # both branches: a literal flag is one a user flips
        self._branches([node.body, node.orelse])

    def _branches(self, branches: list[list[ast.stmt]]) -> None:
        """Alternatives (if/else, try/except): each starts from the same state; then join.

        A name bound differently on two paths keeps the more informative value and the
        provenance of both (``try: ep = create_endpoint() except: ep = lookup()``).
        """
        scope = self._scopes[-1]
        outer = self._journal
        results: list[dict[str, Any]] = []
        try:
            for body in branches:
                log: dict[str, Any] = {}
                self._journal = (scope, log)
                self._block(body)
                results.append({name: scope.get(name, _MISSING) for name in log})
                for name, old in log.items():  # undo this branch before the next one
                    if old is _MISSING:
                        scope.pop(name, None)
                    else:
                        scope[name] = old
        finally:
            self._journal = outer
        for name in {n for r in results for n in r}:
            before = scope.get(name, _MISSING)
            merged: Any = _MISSING
            for result in results:
                value = result.get(name, before)
                if value is _MISSING:
                    continue
                merged = value if merged is _MISSING else _join(merged, value)
            if merged is not _MISSING:
                self._set(scope, name, merged)

    def _s_with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            value = self.ev(item.context_expr)
            if item.optional_vars is not None:
                self._assign(item.optional_vars, value)
        self._block(node.body)

    def _s_try(self, node: ast.Try) -> None:
        self._branches([node.body + node.orelse, *(h.body for h in node.handlers)])
        self._block(node.finalbody)

    def _s_match(self, node: ast.Match) -> None:
        self.ev(node.subject)
        for case in node.cases:
            self._block(case.body)

    def _s_return(self, node: ast.Return) -> None:
        value = self.ev(node.value) if node.value is not None else UNKNOWN
        if self._returns:
            self._returns[-1].append(value)

    def _s_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Bind the function; its body is read when it is called (with the arguments), or,
        when it is used as a value (``gr.Interface(fn=f)``) or never used, once on its own."""
        decorators = [self.ev(d) for d in node.decorator_list]
        func = Val(tag="<function>", func=node, attrs={"lazy": True})
        self._lazy[id(node)] = node
        self._bind(node.name, func)
        if not decorators:
            return
        func = self._summary(func)
        self._bind(node.name, func)
        for deco in decorators:
            if deco.attrs.get("role") == "route":
                serve_into(self, func, deco.attrs["endpoint"])
            elif deco.attrs.get("role") == "endpoint":
                serve_into(self, func, deco.asset)

    def _summary(self, func: Val) -> Val:
        """What a function uses and returns, read once with unknown arguments."""
        assert func.func is not None
        key = id(func.func)
        done = self._summaries.get(key)
        if done is not None:
            return done
        self._lazy.pop(key, None)
        self._summarising += 1
        try:
            summary = self._inline(func.func, (), {})
        finally:
            self._summarising -= 1
        done = Val(tag=func.tag, data=summary.carried(), models=summary.models, func=func.func)
        self._summaries[key] = done
        return done

    def finish(self) -> None:
        """Read the functions nobody called or passed, for what their bodies do."""
        while self._lazy:
            _, node = self._lazy.popitem()
            self._summary(Val(tag="<function>", func=node))

    def _s_class(self, node: ast.ClassDef) -> None:
        bases = [self.ev(b) for b in node.bases]
        role = "torch_model" if any(b.tag.endswith(_TORCH_BASES) for b in bases) else ""
        self._scopes.append({})
        try:
            self._block(node.body)
        finally:
            body = self._scopes.pop()
        init = next(
            (s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"),
            None,
        )
        attrs: dict[str, Any] = {"role": "class", "init": init}
        methods = {k: v for k, v in body.items() if v.func is not None and k != "__init__"}
        if methods:  # ``bot.answer(q)`` runs ``answer`` with ``self`` the instance
            attrs["methods"] = MappingProxyType(methods)
        # a subclass of a library class (``class Custom(VertexAIEmbeddings)``) is built as
        # its base is: the base's recognisers name what the instance is
        base = next((b.tag for b in bases if b.tag and self._registry.lookup(b.tag)), "")
        if base:
            attrs["base"] = base
        if role:
            attrs["instance_role"] = role
        self._bind(node.name, Val(tag=f"{self.notebook}.{node.name}", attrs=attrs))

    def _instantiate(self, cls: Val, args: tuple[Val, ...], kwargs: dict[str, Val]) -> Val:
        """A user class instance carries what its ``__init__`` stores on ``self``."""
        made = union([*args, *kwargs.values()], tag=cls.tag)
        init = cls.attrs.get("init")
        if init is not None:
            before = {k: v for k, v in self._globals.items() if k.startswith("self.")}
            self._call_user(Val(func=init), (made, *args), kwargs)
            fields = [
                v
                for k, v in self._globals.items()
                if k.startswith("self.") and before.get(k) is not v
            ]
            made = union([made, *fields], tag=cls.tag)
        role = cls.attrs.get("instance_role")
        made = made.with_attrs(role=role) if role else made
        methods = cls.attrs.get("methods")
        return made.with_attrs(methods=methods) if methods else made

    # -- user functions -----------------------------------------------------------------------

    def _inline(
        self,
        func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
        args: tuple[Val, ...],
        kwargs: dict[str, Val],
    ) -> Val:
        """Run a function body with its parameters bound; the union of what it returns."""
        if len(self._returns) >= _MAX_INLINE_DEPTH:
            return union([*args, *kwargs.values()])
        scope: dict[str, Val] = {}
        params = [*func.args.posonlyargs, *func.args.args]
        defaults = dict(
            zip(
                [p.arg for p in params[len(params) - len(func.args.defaults) :]],
                func.args.defaults,
                strict=True,
            )
        )
        for param, default in zip(func.args.kwonlyargs, func.args.kw_defaults, strict=True):
            if default is not None:
                defaults[param.arg] = default
        for i, param in enumerate(params):
            if i < len(args):
                scope[param.arg] = args[i]
            elif param.arg in kwargs:
                scope[param.arg] = kwargs[param.arg]
            else:
                scope[param.arg] = _const_default(defaults.get(param.arg))
        for param in func.args.kwonlyargs:
            scope[param.arg] = kwargs.get(param.arg) or _const_default(defaults.get(param.arg))
        if func.args.vararg:
            scope[func.args.vararg.arg] = union(args[len(params) :])
        if func.args.kwarg:  # ``def f(**kwargs)``: the keywords no parameter took
            scope[func.args.kwarg.arg] = _keywords_dict(
                {k: v for k, v in kwargs.items() if k not in scope}
            )
        self._scopes.append(scope)
        self._returns.append([])
        saved_target = self.target
        try:
            if isinstance(func, ast.Lambda):
                self._returns[-1].append(self.ev(func.body))
            else:
                self._block(func.body)
        finally:
            self._scopes.pop()
            returns = self._returns.pop()
            self.target = saved_target
        informative = [r for r in returns if r.asset or r.attrs or r.data or r.models]
        if len(informative) == 1:  # ``return client`` / ``return None`` on the error path
            return informative[0]
        if len(returns) == 1:
            return returns[0]
        return union(returns)

    def _call_user(self, fv: Val, args: tuple[Val, ...], kwargs: dict[str, Val]) -> Val:
        assert fv.func is not None
        key = id(fv.func)
        self._lazy.pop(key, None)
        count = self._inlined.get(key, 0)
        if count >= _MAX_INLINES_PER_FUNCTION:
            return union([fv, *args, *kwargs.values()])
        self._inlined[key] = count + 1
        return self._inline(fv.func, args, kwargs)

    # -- expressions --------------------------------------------------------------------------

    def ev(self, node: ast.expr | None) -> Val:
        if node is None:
            return UNKNOWN
        handler = _EXPRS.get(type(node))
        if handler is not None:
            return handler(self, node)
        return union([self.ev(c) for c in ast.iter_child_nodes(node) if isinstance(c, ast.expr)])

    def constant(self, name: str) -> str | int | float | None:
        """A variable's folded scalar value (IPython expands ``$name`` in ``!`` lines)."""
        value = self._lookup(name)
        const = value.const if value is not None else None
        return const if isinstance(const, (str, int, float)) else None

    def _lookup(self, name: str) -> Val | None:
        for scope in reversed(self._scopes):
            if name in scope:
                return scope[name]
        return None

    def _unbound(self, name: str) -> Val:
        """A builtin, a name bound outside the notebook, or one a star import brought in
        (``from sklearn.datasets import *``: known when a recogniser knows ``module.name``)."""
        starred = (f"{m}.{name}" for m in reversed(self._star))
        return Val(tag=next((q for q in starred if self._registry.lookup(q)), name))

    def _e_name(self, node: ast.Name) -> Val:
        value = self._lookup(node.id)
        self._read.add(node.id)
        if value is None:
            return self._unbound(node.id)
        if value.func is not None and value.attrs.get("lazy"):
            value = self._summary(value)  # a function used as a value: what it does matters
        if value.data:
            self.cell_data.update(value.data)
        return value

    def _e_const(self, node: ast.Constant) -> Val:
        return Val(const=node.value)

    def _e_fstring(self, node: ast.JoinedStr) -> Val:
        parts: list[str] = []
        carried: list[Val] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                inner = self.ev(value.value)
                carried.append(inner)
                if isinstance(inner.const, (str, int, float)) and value.format_spec is None:
                    parts.append(str(inner.const))
                else:
                    parts.append("{" + ast.unparse(value.value) + "}")
        derived = union(carried)
        text = "".join(parts)
        return Val(const=text, data=derived.data, models=derived.models)

    def _e_attribute(self, node: ast.Attribute) -> Val:
        dotted = _dotted(node)
        if dotted and dotted in self._globals:
            return self._globals[dotted]
        base = self.ev(node.value)
        held = base.attrs.get(node.attr)
        if isinstance(held, Val):
            return held
        return Val(
            tag=f"{base.tag or '?'}.{node.attr}",
            data=base.carried(),
            models=base.models,
            attrs={"recv": base},
        )

    def _e_subscript(self, node: ast.Subscript) -> Val:
        base = self.ev(node.value)
        key = self.ev(node.slice)
        if isinstance(base.const, dict) and isinstance(key.const, str) and key.const in base.const:
            return Val(const=base.const[key.const])
        if (
            isinstance(base.const, (list, tuple, str))
            and isinstance(key.const, int)
            and -len(base.const) <= key.const < len(base.const)
        ):
            return Val(const=base.const[key.const])
        if base.attrs.get("engine") == "mongodb_atlas" and isinstance(key.const, str):
            path = ".".join(p for p in (base.attrs.get("mongo_path"), key.const) if p)
            return base.with_attrs(mongo_path=path)
        return Val(tag=base.tag, data=base.carried() | key.carried(), models=base.models)

    def _e_container(self, node: ast.List | ast.Tuple | ast.Set) -> Val:
        values = [self.ev(e) for e in node.elts]
        if values and all(_is_const(v) for v in values):
            consts = [v.const for v in values]
            if not any(v.data or v.models for v in values):
                return Val(const=consts)
            carried = union(values)  # f-strings keep what they carry
            return Val(const=consts, data=carried.data, models=carried.models)
        return union(values)

    def _e_dict(self, node: ast.Dict) -> Val:
        keys = [self.ev(k) if k is not None else UNKNOWN for k in node.keys]
        values = [self.ev(v) for v in node.values]
        if all(isinstance(k.const, str) for k in keys) and all(_is_const(v) for v in values):
            return Val(const={k.const: v.const for k, v in zip(keys, values, strict=True)})
        consts = {
            k.const: v.const
            for k, v in zip(keys, values, strict=True)
            if isinstance(k.const, str) and _is_const(v)
        }
        merged = union(values)
        return merged.with_attrs(consts=consts) if consts else merged

    def _e_binop(self, node: ast.BinOp) -> Val:
        left, right = self.ev(node.left), self.ev(node.right)
        if isinstance(node.op, ast.Add) and (
            (isinstance(left.const, str) and isinstance(right.const, str))
            or (isinstance(left.const, list) and isinstance(right.const, list))  # job args
        ):  # either side may be a template that carries data (``"(" + "\n".join(rows)``)
            return Val(
                const=left.const + right.const,
                data=left.data | right.data,
                models=left.models | right.models,
            )
        if isinstance(node.op, ast.Add) and _str_and_unknown(left, right):
            # ``"iris_" + UUID`` reads like ``f"iris_{UUID}"``: a template, as f-strings are
            text = "".join(
                v.const if isinstance(v.const, str) else "{" + ast.unparse(n) + "}"
                for v, n in ((left, node.left), (right, node.right))
            )
            derived = union([left, right])
            return Val(const=text, data=derived.data, models=derived.models)
        if isinstance(node.op, ast.BitOr):  # LangChain pipes: retrieved data feeds the models
            return self.compose([left, right])
        return union([left, right])

    def compose(self, parts: list[Val]) -> Val:
        """A chain of runnables: what its retrievers return reaches the models it runs."""
        chain = union(parts)
        indexes = [u for u in chain.data if ids.kind_of(u) is Kind.VECTOR_INDEX]
        for model in chain.models:
            self.flow_into(indexes, model, EdgeKind.RETRIEVE)
        return chain

    def _e_lambda(self, node: ast.Lambda) -> Val:
        summary = self._inline(node, (), {})
        return Val(tag="<lambda>", data=summary.carried(), models=summary.models, func=node)

    def _e_comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> Val:
        self._scopes.append({})
        try:
            sources = []
            items: list[Any] = []
            for i, gen in enumerate(node.generators):
                it = self.ev(gen.iter)
                sources.append(it)
                items = _literal_items(it) if i == 0 and len(node.generators) == 1 else []
                self._assign(gen.target, _derived(it))
            for item in items or (None,):  # ``[Loader(u) for u in ["https://..", ..]]``
                if items:
                    self._assign(node.generators[0].target, Val(const=item))
                if isinstance(node, ast.DictComp):
                    sources += [self.ev(node.key), self.ev(node.value)]
                else:
                    sources.append(self.ev(node.elt))
        finally:
            self._scopes.pop()
        return union(sources)

    def _e_named(self, node: ast.NamedExpr) -> Val:
        value = self.ev(node.value)
        self._assign(node.target, value)
        return value

    def _e_call(self, node: ast.Call) -> Val:
        func = node.func
        recv, recv_name = UNKNOWN, ""
        bound: Val | None = None  # the instance a user class's method is called on
        if isinstance(func, ast.Attribute):
            dotted = _dotted(func)
            fv = self._globals.get(dotted) if dotted else None
            if fv is None:
                recv = self.ev(func.value)
                recv_name = func.value.id if isinstance(func.value, ast.Name) else ""
                held = recv.attrs.get(func.attr)
                fv = held if isinstance(held, Val) else None
                method = recv.attrs.get("methods", _NO_METHODS).get(func.attr)
                if fv is None and method is not None:
                    fv, bound = method, recv
                qual = f"{recv.tag or '?'}.{func.attr}"
            else:
                qual = fv.tag
        elif isinstance(func, ast.Name):  # a plain call: no need to summarise a function
            fv = self._lookup(func.id) or self._unbound(func.id)
            qual = fv.tag
        else:
            fv = self.ev(func)
            qual = fv.tag
        args = tuple(self.ev(a.value if isinstance(a, ast.Starred) else a) for a in node.args)
        kwargs: dict[str, Val] = {}
        for kw in node.keywords:
            value = self.ev(kw.value)
            if kw.arg is None:  # ``f(**params)``: the literal entries are keywords
                consts = value.const if isinstance(value.const, dict) else value.attrs.get("consts")
                for key, item in (consts or {}).items():
                    kwargs.setdefault(str(key), Val(const=item))
                if not isinstance(value.const, dict):
                    kwargs["**"] = union([kwargs.get("**", UNKNOWN), value])
            else:
                kwargs[kw.arg] = value
        if fv is not None and fv.func is not None:
            return self._call_user(fv, (bound, *args) if bound is not None else args, kwargs)
        folded = _fold_str_method(recv, func, args, kwargs, node)
        if folded is not None:
            return folded
        if fv is not None and fv.attrs.get("role") == "class":
            base = fv.attrs.get("base")
            site = Call(base, recv, args, kwargs, node, self, recv_name) if base else None
            for rule in self._registry.lookup(base or ""):
                if (result := rule.handler(site)) is not None:  # type: ignore[arg-type]
                    return result
            return self._instantiate(fv, args, kwargs)
        if fv is not None and (fv.asset or fv.attrs) and not qual.startswith(fv.tag + "."):
            qual, recv = f"{fv.tag or '?'}.__call__", fv
        site = Call(qual, recv, args, kwargs, node, self, recv_name)
        for rule in self._registry.lookup(qual):
            result = rule.handler(site)
            if result is not None:
                return result
        if _rebinds_client(node, args, self.target):  # client = enable_telemetry(client)
            return args[0]
        generic = site.inputs()
        if isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
            root = _root_name(func.value)  # d[k]["values"].append(x) mutates d
            if root:
                held = self._lookup(root) or UNKNOWN
                self.rebind(root, union([held, *args, *kwargs.values()], tag=held.tag))
        return Val(tag=f"{qual}()" if qual else "", data=generic.data, models=generic.models)

    def _e_yield(self, node: ast.Yield | ast.YieldFrom) -> Val:
        value = self.ev(node.value)
        if self._returns:
            self._returns[-1].append(value)
        return UNKNOWN

    def _e_unary(self, node: ast.UnaryOp) -> Val:
        value = self.ev(node.operand)
        if isinstance(value.const, (int, float)) and not isinstance(value.const, bool):
            if isinstance(node.op, ast.USub):
                return Val(const=-value.const)
            if isinstance(node.op, ast.UAdd):
                return value
        if isinstance(node.op, ast.Not) and isinstance(value.const, (bool, int, str)):
            return Val(const=not value.const)
        return value

    def _e_boolop(self, node: ast.BoolOp) -> Val:
        """``input("model: ") or DEFAULT_ID``: a run-time value with a literal fallback is
        that fallback here (as ``os.getenv(name, default)`` is its default)."""
        values = [self.ev(v) for v in node.values]
        merged = union(values)
        if isinstance(node.op, ast.Or) and values[0].const is None and not values[0].asset:
            fallback = next((v.const for v in values[1:] if isinstance(v.const, str)), None)
            if fallback:
                return Val(const=fallback, data=merged.data, models=merged.models)
        return merged

    def _e_ifexp(self, node: ast.IfExp) -> Val:
        test = self.ev(node.test)
        if isinstance(test.const, (bool, int, str)) and not test.data:  # a literal flag
            return self.ev(node.body) if test.const else self.ev(node.orelse)
        return union([self.ev(node.body), self.ev(node.orelse)])


_STR_METHODS = frozenset(
    {
        "split",
        "rsplit",
        "replace",
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "removeprefix",
        "removesuffix",
        "title",
        "format",
    }
)


def _fold_str_method(
    recv: Val,
    func: ast.expr,
    args: tuple[Val, ...],
    kwargs: dict[str, Val],
    node: ast.Call | None = None,
) -> Val | None:
    """``"org/name".split("/")[-1]`` and friends on literals: names built from names."""
    literal_dict = isinstance(recv.const, dict) and not args and not recv.data
    if (
        literal_dict
        and isinstance(func, ast.Attribute)
        and func.attr in ("items", "keys", "values")
    ):
        return Val(const=[*getattr(recv.const, func.attr)()])
    if not (isinstance(func, ast.Attribute) and isinstance(recv.const, str)):
        return None
    if func.attr not in _STR_METHODS or recv.data or "**" in kwargs:
        return None
    if not all(_is_const(a) for a in (*args, *kwargs.values())):
        if func.attr == "format" and node is not None:
            return _format_template(recv.const, args, kwargs, node)
        return None
    try:
        result = getattr(recv.const, func.attr)(
            *(a.const for a in args), **{k: v.const for k, v in kwargs.items()}
        )
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    return Val(const=result)


def _format_template(
    text: str, args: tuple[Val, ...], kwargs: dict[str, Val], node: ast.Call
) -> Val | None:
    """``"s3://bucket-{}/train".format(region)`` with a run-time ``region``: the text with
    each unknown field written ``{region}``, as an f-string keeps it (known ones filled)."""
    sources = {kw.arg: kw.value for kw in node.keywords if kw.arg}
    out: list[str] = []
    auto = 0
    try:
        for literal, field, spec, conversion in string.Formatter().parse(text):
            out.append(literal)
            if field is None:
                continue
            key: int | str = field.split(".", 1)[0].split("[", 1)[0]
            if key == "":
                key, auto = auto, auto + 1
            elif key.isdigit():
                key = int(key)
            if isinstance(key, int):
                value = args[key] if key < len(args) else None
                source = node.args[key] if key < len(node.args) else None
            else:
                value, source = kwargs.get(key), sources.get(key)
            if value is None or source is None or isinstance(source, ast.Starred):
                return None
            if _is_const(value) and field == str(key) and not conversion:
                out.append(format(value.const, spec or ""))
            else:
                out.append("{" + ast.unparse(source) + "}")
    except (ValueError, TypeError, IndexError):
        return None
    derived = union([*args, *kwargs.values()])
    return Val(const="".join(out), data=derived.data, models=derived.models)


def _edge_kind(src: Kind, dst: Kind, kind: EdgeKind | None) -> EdgeKind:
    if src is Kind.VECTOR_INDEX and kind in (None, EdgeKind.INFER, EdgeKind.TRANSFORM):
        # what an index hands a model or an endpoint is retrieved; rows of it saved to a
        # file or table are a copy
        return EdgeKind.TRANSFORM if dst is Kind.DATASET else EdgeKind.RETRIEVE
    if kind is not None:
        return kind
    if dst is Kind.DATASET:
        return EdgeKind.INFER if src is Kind.MODEL else EdgeKind.TRANSFORM
    if dst is Kind.VECTOR_INDEX:
        return EdgeKind.EMBED
    if dst is Kind.ENDPOINT:
        return EdgeKind.SERVE
    return EdgeKind.TRAIN if src is Kind.DATASET else EdgeKind.INFER


def _str_and_unknown(left: Val, right: Val) -> bool:
    """One side a string, the other a value the analysis does not know (not a constant)."""
    texts = (isinstance(left.const, str), isinstance(right.const, str))
    return (texts[0] and right.const is None and not right.asset) or (
        texts[1] and left.const is None and not left.asset
    )


def _informative(value: Val) -> bool:
    return bool(value.asset or value.attrs or value.data or value.models or value.func)


def _join(first: Val, second: Val) -> Val:
    if first is second:
        return first
    if not _informative(second):  # a known constant beats a value known to be nothing,
        unknown = first.const is None and not _informative(first)
        # and a fully known text beats a template (``if prefix: p = f"{prefix}/{p}"``)
        template = isinstance(first.const, str) and bool(_PLACEHOLDER.search(first.const))
        if isinstance(second.const, str) and template and not _PLACEHOLDER.search(second.const):
            return second
        return second if unknown and second.const is not None else first
    if not _informative(first):
        return second
    extra = second.carried() - {first.asset}
    return replace(first, data=first.data | extra, models=first.models | second.models)


def _root_name(node: ast.expr) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _const_default(node: ast.expr | None) -> Val:
    """A parameter's default, when it is a literal (``dataset_name: str = "org/name"``)."""
    if isinstance(node, ast.Constant):
        return Val(const=node.value)
    return UNKNOWN


def _derived(value: Val) -> Val:
    return Val(
        tag=value.tag,
        data=value.carried(),
        models=value.models,
        attrs=value.attrs if value.attrs.get("role") == "vector_client" else {},
    )


_MAX_LITERAL_ITEMS = 16


def _literal_items(value: Val) -> list[Any]:
    """The items of a short literal list of names, name tuples (``dict.items()``) or small
    records, iterated one by one; else []."""
    const = value.const
    if not isinstance(const, (list, tuple)) or not 0 < len(const) <= _MAX_LITERAL_ITEMS:
        return []
    return list(const) if all(_literal_item(c) for c in const) else []


def _literal_item(item: Any) -> bool:
    """A name, a tuple of names, or a small record of names/numbers (``{"name": ..}``)."""
    if isinstance(item, str):
        return True
    if isinstance(item, tuple):
        return all(isinstance(x, str) for x in item)
    if isinstance(item, dict):
        return any(isinstance(v, str) for v in item.values()) and all(
            isinstance(v, (str, int, float)) for v in item.values()
        )
    return False


def _keywords_dict(kwargs: dict[str, Val]) -> Val:
    """The dict a ``**kwargs`` parameter holds: folded when every value is a literal, else
    its literal entries (``f(**kwargs)`` passes those on as keywords)."""
    known = {k: v for k, v in kwargs.items() if k != "**"}
    if known and all(_is_const(v) for v in known.values()) and "**" not in kwargs:
        return Val(const={k: v.const for k, v in known.items()})
    consts = {k: v.const for k, v in known.items() if _is_const(v)}
    merged = union(list(kwargs.values()))
    return merged.with_attrs(consts=consts) if consts else merged


def _is_const(value: Val) -> bool:
    return value.const is not None and not value.data and not value.asset


def _dotted(node: ast.expr) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or not parts:
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def _target_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, (ast.Tuple, ast.List)) and node.elts:
        return _target_name(node.elts[0])
    return ""


_STMTS: dict[type, Callable[[Analyzer, Any], None]] = {
    ast.Import: Analyzer._s_import,
    ast.ImportFrom: Analyzer._s_import_from,
    ast.Assign: Analyzer._s_assign,
    ast.AnnAssign: Analyzer._s_assign,
    ast.AugAssign: Analyzer._s_assign,
    ast.Expr: Analyzer._s_expr,
    ast.For: Analyzer._s_for,
    ast.AsyncFor: Analyzer._s_for,
    ast.While: Analyzer._s_while,
    ast.If: Analyzer._s_if,
    ast.With: Analyzer._s_with,
    ast.AsyncWith: Analyzer._s_with,
    ast.Try: Analyzer._s_try,
    ast.TryStar: Analyzer._s_try,
    ast.Match: Analyzer._s_match,
    ast.Return: Analyzer._s_return,
    ast.FunctionDef: Analyzer._s_function,
    ast.AsyncFunctionDef: Analyzer._s_function,
    ast.ClassDef: Analyzer._s_class,
}
_EXPRS: dict[type, Callable[[Analyzer, Any], Val]] = {
    ast.Name: Analyzer._e_name,
    ast.Constant: Analyzer._e_const,
    ast.JoinedStr: Analyzer._e_fstring,
    ast.Attribute: Analyzer._e_attribute,
    ast.Subscript: Analyzer._e_subscript,
    ast.List: Analyzer._e_container,
    ast.Tuple: Analyzer._e_container,
    ast.Set: Analyzer._e_container,
    ast.Dict: Analyzer._e_dict,
    ast.BinOp: Analyzer._e_binop,
    ast.Lambda: Analyzer._e_lambda,
    ast.ListComp: Analyzer._e_comprehension,
    ast.SetComp: Analyzer._e_comprehension,
    ast.GeneratorExp: Analyzer._e_comprehension,
    ast.DictComp: Analyzer._e_comprehension,
    ast.NamedExpr: Analyzer._e_named,
    ast.Call: Analyzer._e_call,
    ast.IfExp: Analyzer._e_ifexp,
    ast.BoolOp: Analyzer._e_boolop,
    ast.UnaryOp: Analyzer._e_unary,
    ast.Yield: Analyzer._e_yield,
    ast.YieldFrom: Analyzer._e_yield,
    ast.Await: lambda self, node: self.ev(node.value),
    ast.Starred: lambda self, node: self.ev(node.value),
}
