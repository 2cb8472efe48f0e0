import pytest

from surveys.services import invitation_create_test, survey_create_from_template, survey_publish


@pytest.fixture
def published(workspace, manager):
    """publish(kind, locale) -> a published template survey of the workspace."""

    def make(kind: str = "nps", locale: str = "en"):
        survey = survey_create_from_template(
            workspace=workspace, user=manager.user, kind=kind, locale=locale
        )
        return survey_publish(survey=survey, user=manager.user)

    return make


@pytest.fixture
def invitation(published, contact):
    return invitation_create_test(survey=published("nps"), contact=contact)
