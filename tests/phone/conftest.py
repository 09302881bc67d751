"""Phone-journey fixtures: the app with stand-ins for pages other features own."""

from __future__ import annotations

from typing import Iterator

import pytest
from litestar import Litestar

from tests.phone.stand_ins import RequestsOnFile, add_personal_page_stand_ins
from xqr.services import face_check


@pytest.fixture
def app(db: None, settings) -> Litestar:
    from xqr.app import create_app

    app = create_app(settings)
    add_personal_page_stand_ins(app)
    return app


@pytest.fixture
def requests_on_file() -> Iterator[RequestsOnFile]:
    source = RequestsOnFile()
    previous = face_check._source
    face_check.use_subject_source(source)
    yield source
    face_check.use_subject_source(previous)
