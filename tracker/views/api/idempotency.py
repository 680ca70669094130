"""`Idempotency-Key` on the API's POSTs (tracker/idempotency.py keeps the answers): a retried POST with the same
key and the same request is answered with the first answer (header `Idempotent-Replayed: true`); the same key
with another request is a 422, and while the first request runs a 409. Views need nothing: every POST of the
blueprint is covered, and the header is in the OpenAPI document of each."""
from __future__ import annotations

import hashlib

from flask import Response, g, request

from ... import idempotency
from ..actions import attempt
from .base import ApiError, bp, domain_refusal

HEADER = "Idempotency-Key"


def request_print() -> str:
    """The request a key was sent with: method, path, query and body (for uploads, the fields and each file's
    name and content, so a client's new multipart boundary on a retry is still the same request)."""
    parts = [request.method, request.path, request.query_string]
    if request.mimetype == "multipart/form-data":
        parts += [f"{name}={value}" for name, value in sorted(request.form.items(multi=True))]
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            content = upload.stream.read()
            upload.stream.seek(0)
            parts += [name, upload.filename or "", hashlib.sha256(content).hexdigest()]
    else:
        parts += [request.mimetype, request.get_data(cache=True)]
    return idempotency.fingerprint(*parts)


@bp.before_request
def replay_or_claim():
    """Registered after authenticate: g.api_user is known."""
    if request.method != "POST" or HEADER not in request.headers:
        return None
    key = request.headers[HEADER]
    result = attempt(lambda: idempotency.claim(g.api_user, key, request_print()))
    if not result.ok:
        if isinstance(result.error, idempotency.KeyInUse):
            raise ApiError(409, result.error.message, {HEADER: str(result.error.message)})
        raise domain_refusal(result.error)
    stored = result.value
    if stored is not None:
        headers = {"Idempotent-Replayed": "true", **({"Location": stored.location} if stored.location else {})}
        return Response(stored.response, status=stored.status, mimetype="application/json", headers=headers)
    g.idempotency_key = key
    return None


@bp.after_request
def remember(response: Response) -> Response:
    key = g.pop("idempotency_key", None)
    if key is None:
        return response
    if 200 <= response.status_code < 300:
        body = response.get_data(as_text=True)
        attempt(lambda: idempotency.finish(g.api_user, key, response.status_code, body,
                                           response.headers.get("Location")))
    else:
        attempt(lambda: idempotency.release(g.api_user, key))
    return response


def document(spec) -> None:
    """The header on every POST of the document."""
    spec.components.parameter(HEADER, "header", {
        "name": HEADER, "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.KEY_MAX},
        "description": "a key of the client's choosing (a UUID): a retried POST with the same key and request "
                       "gets the first answer again (kept 24 hours); another request with the key is a 422"})
    for operations in spec._paths.values():
        if "post" in operations:
            operations["post"].setdefault("parameters", []).append({"$ref": f"#/components/parameters/{HEADER}"})
