"""A host cannot make a client read more than `MAX_BODY_BYTES` of one answer."""

from __future__ import annotations

import pytest

from packyard.core.http import build_client
from packyard.sources.base import MAX_BODY_BYTES, HostSession
from packyard.sources.errors import UpstreamError
from tests.fakes import FakeForgejo, serve
from tests.fakes.base import Reply

pytestmark = pytest.mark.attack

CAP = 256 * 1024


@pytest.fixture
def fake():
    forge = FakeForgejo()
    forge.add("owner/tool", stars=5)
    with serve(forge) as served:
        forge.url = served.url
        yield forge


@pytest.fixture
def session(fake):
    with build_client(base_url=fake.url, timeout=5.0) as client:
        yield HostSession(client, host="codeberg.org", max_body_bytes=CAP)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_cap_is_an_upstream_error(fake, session, chunked):
    """Declared or streamed, a body one byte over the cap fails as an `UpstreamError`."""
    fake.huge(r"/repos/owner/tool$", CAP + 1, chunked=chunked)

    with pytest.raises(UpstreamError, match=f"over {CAP} bytes"):
        session.get("/repos/owner/tool")


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_at_the_cap_is_read(fake, session, chunked):
    """A body of exactly the cap is read and parsed."""
    fake.huge(r"/repos/owner/tool$", CAP, chunked=chunked)

    answer = session.get("/repos/owner/tool")

    assert answer.body == "x" * (CAP - 2)


def test_the_default_cap_holds_pypis_largest_answers():
    """PyPI's largest projects answer a few megabytes: the default cap leaves room for them."""
    assert MAX_BODY_BYTES >= 16 * 1024 * 1024


def test_deeply_nested_json_is_not_json(fake, session):
    """Arrays nested past Python's recursion limit fail as "not JSON", not a crash."""
    fake._add_fault(r"/repos/owner/tool$", 1, reply=lambda: Reply(200, raw=b"[" * 200_000))

    with pytest.raises(UpstreamError, match="not JSON"):
        session.get("/repos/owner/tool")
