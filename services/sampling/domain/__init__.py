"""Sampling (audit) domain, pure: stdlib, ``shared.contracts`` and ``shared.csvfiles`` only.

- ``projection``: ``ClaimView`` / ``MentorView``, the claims sampling keeps from claims events.
- ``sample_upload``: the sampling file (which paid claims to audit, and why).
- ``provider_response``: the provider's answer file (assured or not, per mentor and per claim).
- ``provider_csv``: the file a provider downloads.
- ``dates``: the date a provider must answer by.

Uploads raise ``shared.csvfiles.CsvRejected`` carrying every error; confirming an upload once is
the service's job, not the domain's.
"""
from shared.csvfiles import CsvRejected

from .dates import completion_date
from .projection import PAID, SAMPLING_IN_PROGRESS, ClaimView, MentorView, normalise_reference
from .provider_csv import provider_csv, provider_csv_rows
from .provider_response import (ClaimAssurance, ProviderResponse, check_response, parse_assured,
                                read_response_file, validate_provider_response)
from .sample_upload import (SampledClaim, SampleUpload, check_sample, read_sampling_file,
                            validate_sampling_upload)

__all__ = [
    "CsvRejected", "completion_date", "PAID", "SAMPLING_IN_PROGRESS", "ClaimView", "MentorView",
    "normalise_reference", "provider_csv", "provider_csv_rows", "ClaimAssurance",
    "ProviderResponse", "check_response", "parse_assured", "read_response_file",
    "validate_provider_response", "SampledClaim", "SampleUpload", "check_sample",
    "read_sampling_file", "validate_sampling_upload",
]
