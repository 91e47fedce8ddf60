from __future__ import annotations

from pydantic import Field

from shared.platform.settings import ServiceSettings


class ClaimsSettings(ServiceSettings.for_service("claims", port=8101)):
    #: Where the district → region table lives (docs/design.md §3); empty = the copy shipped with the service.
    regions_csv: str = Field(default="", validation_alias="CLAIMS_REGIONS_CSV")
