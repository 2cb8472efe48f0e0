"""Fuzz every operation of the live OpenAPI schema with schemathesis (stateless, a bounded
number of examples each): no 500s, and every response matches the schema it documents.

Requests run in-process through the WSGI app, as a manager of a workspace with data, with a
valid token; ids in paths are mostly random, so many answers are 404s — which must also be
documented and well-formed.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import Role
from accounts.services import api_token_create
from config.wsgi import application
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.metrics.helpers import answered

# Loaded at collection time, before any database exists: the schema view reads none.
# (schemathesis.pytest.from_fixture would wait for a fixture, but it does not run on pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection():
    """Like Django's test client: requests must not close the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    workspace = WorkspaceFactory(name="Fuzz")
    manager = MembershipFactory(workspace=workspace, role=Role.MANAGER)
    answered({"nps": [0, 5, 9, 10], "csat": [1, 4]}, workspace=workspace)
    _, key = api_token_create(membership=manager, name="fuzz")
    return key


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_errors_and_responses_match_the_schema(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
