"""OpenTelemetry spans of LLM calls, with the ``gen_ai.*`` semantic-convention attributes.

Accepts what the OpenTelemetry Collector's file exporter writes (one OTLP/JSON
``ExportTraceServiceRequest`` per line: ``resourceSpans[].scopeSpans[].spans[]``, attributes
as ``[{key, value: {stringValue|intValue|...}}]``) and single spans as the Python SDK's
console exporter prints them (``attributes`` as a flat object). Spans without a ``gen_ai.``
attribute are not LLM calls and are skipped.

Mapping: principal = ``user.id`` / ``enduser.id``, else the calling ``service.name``;
endpoint namespace = ``https://<server.address>`` (``http://<address>:<port>`` off 443), or
``gen_ai.provider.name`` / ``gen_ai.system`` without an address; endpoint name =
``gen_ai.request.model``; tokens from
``gen_ai.usage.input_tokens`` / ``output_tokens`` (or the older ``prompt_tokens`` /
``completion_tokens``); error when the span status is ERROR or ``error.type`` is set.
Captured prompt content, if any, is reduced to a SimHash and dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ingest.access_log.fingerprint import simhash64, source_key
from ingest.access_log.records import AccessRecord, BadRecord, Resolver, as_int, epoch_seconds

__all__ = ["from_otel", "looks_otel"]

_ANY_VALUE = ("stringValue", "intValue", "doubleValue", "boolValue")


def looks_otel(obj: Mapping[str, Any]) -> bool:
    if "resourceSpans" in obj:
        return True
    return "attributes" in obj and any(k in obj for k in ("context", "span_id", "spanId"))


def _attrs(raw: object) -> dict[str, Any]:
    """OTLP key/value lists or flat objects, to one flat dict."""
    if isinstance(raw, Mapping):
        return dict(raw)
    out: dict[str, Any] = {}
    if isinstance(raw, list):
        for item in raw:
            if not isinstance(item, Mapping) or "key" not in item:
                continue
            value = item.get("value")
            if isinstance(value, Mapping):
                for kind in _ANY_VALUE:
                    if kind in value:
                        out[item["key"]] = value[kind]
                        break
                else:
                    array = value.get("arrayValue", {})
                    if isinstance(array, Mapping):
                        out[item["key"]] = [
                            v.get("stringValue") for v in array.get("values", []) if v
                        ]
            else:
                out[item["key"]] = value
    return out


def _spans(obj: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], Mapping[str, Any]]]:
    if "resourceSpans" in obj:
        for rs in obj.get("resourceSpans") or []:
            resource = _attrs((rs.get("resource") or {}).get("attributes"))
            for ss in rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans") or []:
                for span in ss.get("spans") or []:
                    yield resource, span
    else:
        yield _attrs((obj.get("resource") or {}).get("attributes")), obj


def _errored(span: Mapping[str, Any], attrs: Mapping[str, Any]) -> bool:
    status = span.get("status") or {}
    code = status.get("code", status.get("status_code"))
    return code in (2, "STATUS_CODE_ERROR", "ERROR") or bool(attrs.get("error.type"))


def _record(
    resource: Mapping[str, Any], span: Mapping[str, Any], resolver: Resolver
) -> AccessRecord | None:
    attrs = _attrs(span.get("attributes"))
    if not any(key.startswith("gen_ai.") for key in attrs):
        return None
    ts = span.get("startTimeUnixNano") or span.get("start_time") or span.get("startTime")
    user = attrs.get("user.id") or attrs.get("enduser.id")
    if not user:
        service = resource.get("service.name") or attrs.get("service.name")
        user = f"service:{service}" if service else None
    host = attrs.get("server.address")
    if host:
        port = attrs.get("server.port")
        port = int(port) if port else 443
        namespace = f"https://{host}" if port == 443 else f"http://{host}:{port}"
    else:
        namespace = attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system")
    model = attrs.get("gen_ai.request.model") or attrs.get("gen_ai.response.model")
    if not namespace or not model:
        raise BadRecord("gen_ai span without server.address/provider or request model")
    status = as_int(attrs.get("http.response.status_code"))
    if not status:
        status = 500 if _errored(span, attrs) else 200
    prompt = attrs.get("gen_ai.prompt") or attrs.get("gen_ai.input.messages")
    client = attrs.get("client.address")
    return AccessRecord(
        ts=epoch_seconds(ts),
        principal=resolver.principal(user),
        endpoint=resolver.endpoint(f"endpoint:{namespace}:{model}"),
        status=status,
        tokens_in=as_int(
            attrs.get("gen_ai.usage.input_tokens", attrs.get("gen_ai.usage.prompt_tokens"))
        ),
        tokens_out=as_int(
            attrs.get("gen_ai.usage.output_tokens", attrs.get("gen_ai.usage.completion_tokens"))
        ),
        source=source_key(client) if isinstance(client, str) and client else "",
        fp=simhash64(prompt) if isinstance(prompt, str) and prompt else None,
    )


def from_otel(obj: Mapping[str, Any], resolver: Resolver) -> list[AccessRecord]:
    """Every LLM-call span of one line (a collector line holds many)."""
    out = []
    for resource, span in _spans(obj):
        if not isinstance(span, Mapping):
            raise BadRecord("span is not an object")
        record = _record(resource, span, resolver)
        if record is not None:
            out.append(record)
    return out
