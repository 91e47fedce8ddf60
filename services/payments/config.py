from __future__ import annotations

from pydantic import Field

from shared.platform.settings import ServiceSettings


class PaymentsSettings(ServiceSettings.for_service("payments", port=8103)):
    #: Where the payer's emails go: comma-separated addresses (docs/design.md §4).
    payer_email_addresses: str = Field(default="", validation_alias="PAYER_EMAIL_ADDRESSES")
    #: The gateway's public address: download links are ``{PUBLIC_BASE_URL}/links/{token}``.
    public_base_url: str = Field(default="http://127.0.0.1:8000", validation_alias="PUBLIC_BASE_URL")
    #: How long a payer's download link works (docs/design.md §4: 7 days).
    link_lifetime_days: int = Field(default=7, validation_alias="PAYMENTS_LINK_LIFETIME_DAYS")

    #: ECF contract managers, told 7 days before each output statement's deadline (comma-separated).
    ecf_contract_manager_email_addresses: str = Field(default="", validation_alias="ECF_CONTRACT_MANAGER_EMAIL_ADDRESSES")

    @property
    def payer_addresses(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.strip() for a in self.payer_email_addresses.split(",") if a.strip()))

    @property
    def contract_manager_addresses(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a.strip() for a in self.ecf_contract_manager_email_addresses.split(",")
                                   if a.strip()))
