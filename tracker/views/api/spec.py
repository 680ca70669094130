"""The OpenAPI document, generated from the routes that declare themselves with `operation`."""
from __future__ import annotations

from dataclasses import dataclass, field

SCHEMAS = {
    "Error": {"type": "object", "properties": {
        "error": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"}}}},
    "TicketSummary": {"type": "object", "properties": {
        "reference": {"type": "string", "example": "PUN-2026-000123"},
        "title": {"type": "string"},
        "status": {"type": "string", "enum": ["new", "assigned", "in_progress", "awaiting_locality",
                                              "answered", "closed", "duplicate", "transferred"]},
        "urgency": {"type": "string", "enum": ["hoa_toc", "thuong_khan", "khan", "thuong"]},
        "category": {"type": "string"},
        "locality": {"type": "string", "description": "GSO code, zero-padded"},
        "lead_unit": {"type": "string", "nullable": True},
        "created_at": {"type": "string", "format": "date-time"},
        "answer_due_at": {"type": "string", "format": "date-time", "nullable": True},
        "sla_state": {"type": "string"},
        "outcome": {"type": "string", "nullable": True,
                    "enum": ["answered", "local_competence", "forwarded", "needs_legal_change", None]},
        "systemic_issue": {"type": "string", "nullable": True, "example": "VDC-2026-0001"}}},
    "Ticket": {"allOf": [{"$ref": "#/components/schemas/TicketSummary"}, {"type": "object", "properties": {
        "description": {"type": "string"},
        "legal_basis": {"type": "string"},
        "first_response_due_at": {"type": "string", "format": "date-time", "nullable": True},
        "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}}}]},
    "Message": {"type": "object", "properties": {
        "kind": {"type": "string", "enum": ["reply", "note"]},
        "author": {"type": "string"},
        "body": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}}},
    "TicketPage": {"type": "object", "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/TicketSummary"}},
        "page": {"type": "integer"}, "pages": {"type": "integer"}, "total": {"type": "integer"}}},
    "NewTicket": {"type": "object", "required": ["category", "title", "description"], "properties": {
        "category": {"type": "string", "description": "category code"},
        "title": {"type": "string", "maxLength": 300},
        "description": {"type": "string", "maxLength": 20000},
        "legal_basis": {"type": "string", "maxLength": 20000},
        "urgency": {"type": "string", "enum": ["normal", "urgent"], "default": "normal"},
        "locality": {"type": "string", "description": "province coordinators: the province or one of its communes"}}},
}


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    responses: dict[int, str]
    parameters: list[dict] = field(default_factory=list)
    request: str | None = None


OPERATIONS: list[Operation] = []


def operation(method: str, path: str, summary: str, responses: dict[int, str], parameters=(), request=None):
    """Declare a route in the OpenAPI document (the decorator changes nothing else)."""

    def register(view):
        OPERATIONS.append(Operation(method, path, summary, responses, list(parameters), request))
        return view

    return register


def query_param(name: str, schema: dict, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def path_param(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _response(description: str) -> dict:
    schema, _, text = description.partition(":")
    if schema in SCHEMAS:
        return {"description": text.strip() or schema,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}
    return {"description": description}


def document() -> dict:
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        entry = {"summary": op.summary, "parameters": op.parameters,
                 "responses": {str(code): _response(text) for code, text in op.responses.items()}}
        if op.request:
            entry["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{op.request}"}}}}
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        "openapi": "3.0.3",
        "info": {"title": "Obstacle tracker API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": SCHEMAS},
        "paths": paths,
    }
