"""schemathesis fuzzes every operation of the generated OpenAPI document (the document is the only input:
endpoints added later are fuzzed too), as a locality and as the triage team, on the suite's database: no
request may answer 500, and every response must match the schema the document gives for it."""
import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tracker.accounts import issue_token
from tracker.enums import Role

EXAMPLES = 30  # per operation and role: bounded, so the whole run stays well under a minute


@pytest.fixture
def fuzz_schema(app):
    return schemathesis.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.from_pytest_fixture("fuzz_schema")


@pytest.fixture
def callers(db, make_ticket, make_user, commune_officer, triage_user, ba_dinh):
    """A token per role, and obstacles for the path parameters to name now and then (theirs and another's)."""
    own = make_ticket(commune_officer, title="Vướng mắc của phường")
    other = make_ticket(make_user(Role.COMMUNE, ba_dinh), title="Vướng mắc của phường khác")
    tokens = {role: issue_token(user) for role, user in (("locality", commune_officer), ("team", triage_user))}
    db.session.commit()
    return tokens, itertools.cycle([None, own.reference, other.reference])


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_the_api_never_fails_and_matches_its_document(case, callers):
    tokens, references = callers
    reference = next(references)
    if reference and "reference" in (case.path_parameters or {}):
        case.path_parameters["reference"] = reference
    for token in tokens.values():
        headers = {"Authorization": f"Bearer {token}"}
        response = case.call_wsgi(headers=headers)
        case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))
