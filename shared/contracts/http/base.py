"""What every internal HTTP contract is made of.

The services' internal APIs are called by the gateway only. Each call is an ``Endpoint``: method,
path template, the request body model, the response model and the success status. The service
declares its route with the same path, body and ``response_model``; the gateway's client sends to
``endpoint.url(...)`` and parses the answer into ``endpoint.response``; a contract test checks that
the two agree, so a renamed field or path breaks a test, not a user.

Reading is tolerant (responses allow fields a model does not declare: a service may add
information without breaking the gateway); request bodies forbid unknown members.
Amounts travel as strings with two decimals ("1072.00") and timestamps as ISO 8601 strings, exactly
as the service wrote them, so the gateway forwards them unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, BeforeValidator, ConfigDict


class Wire(BaseModel):
    """A response of an internal API (unknown fields kept, not refused)."""
    model_config = ConfigDict(extra="allow")


ItemT = TypeVar("ItemT")


class Page(Wire, Generic[ItemT]):
    """One page of a list: its items, how many match in all, and the page's number."""
    items: list[ItemT]
    total: int
    page: int


class SizedPage(Page[ItemT], Generic[ItemT]):
    """A page of a list the caller pages through at its own size (``per_page``, when it chose one)."""
    per_page: int | None = None


class Body(BaseModel):
    """A request body of an internal API (unknown members refused)."""
    model_config = ConfigDict(extra="forbid")


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


#: An opaque id (a UUID, a slug...) as text.
Id = Annotated[str, BeforeValidator(_text)]
#: Pounds with two decimals, e.g. "1072.00" (``str(Money(...))``).
Amount = str
#: An ISO 8601 timestamp as the service wrote it.
Timestamp = str


@dataclass(frozen=True)
class Endpoint:
    """One call of an internal API."""
    method: str
    path: str
    response: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    status: int = 200

    def url(self, **params: Any) -> str:
        """The path with its ``{placeholders}`` filled in, each quoted as one path segment."""
        return self.path.format(**{k: quote(str(v), safe="") for k, v in params.items()})


def endpoints(namespace: dict[str, Any]) -> dict[str, Endpoint]:
    """The module's endpoints by name (what the contract tests walk)."""
    return {name: value for name, value in namespace.items() if isinstance(value, Endpoint)}
