"""A confirm page's button (web/common.py ``confirmed``): done, on to the next page; refused, the page again with
the reasons linked to the button; any other failure is not a refusal and goes on up."""
from __future__ import annotations

import pytest

from services.gateway.clients import Downstream
from services.gateway.web.common import confirmed


async def _page(errors):
    return {"page again": errors}


async def _refused(status: int):
    raise Downstream(status, [{"message": "The claim is no longer waiting"}])


async def _done():
    return None


async def test_a_done_call_goes_on_to_the_next_page():
    response = await confirmed(_done(), "/claims/12345678?done=sampling-approved", _page, "approve")
    assert response.status_code == 303 and response.headers["location"] == "/claims/12345678?done=sampling-approved"


async def test_a_refusal_shows_the_page_again_with_each_reason_linked_to_the_button():
    assert await confirmed(_refused(422), "/next", _page, "approve") == {
        "page again": [{"text": "The claim is no longer waiting", "href": "#approve"}]}


async def test_anything_but_a_refusal_is_not_shown_as_one():
    with pytest.raises(Downstream):
        await confirmed(_refused(404), "/next", _page, "approve")
