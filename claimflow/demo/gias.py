"""Generated extracts in GIAS's own shape, for tests, the benchmark and trying the import.

GIAS's "all establishments" extract (``edubasealldata<date>.csv``): its header row as published,
Windows-1252, CRLF, every value quoted only where needed. The published header (about 140 named
columns) is padded with further optional GIAS fields to the 300 columns the import must read past.
"""
from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field

PUBLISHED = [
    "URN", "LA (code)", "LA (name)", "EstabNumber", "EstablishmentName", "TypeOfEstablishment (code)",
    "TypeOfEstablishment (name)", "EstablishmentTypeGroup (code)", "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)", "EstablishmentStatus (name)", "ReasonEstablishmentOpened (code)",
    "ReasonEstablishmentOpened (name)", "OpenDate", "ReasonEstablishmentClosed (code)",
    "ReasonEstablishmentClosed (name)", "CloseDate", "PhaseOfEducation (code)", "PhaseOfEducation (name)",
    "StatutoryLowAge", "StatutoryHighAge", "Boarders (code)", "Boarders (name)", "NurseryProvision (name)",
    "OfficialSixthForm (code)", "OfficialSixthForm (name)", "Gender (code)", "Gender (name)",
    "ReligiousCharacter (code)", "ReligiousCharacter (name)", "ReligiousEthos (name)", "Diocese (code)",
    "Diocese (name)", "AdmissionsPolicy (code)", "AdmissionsPolicy (name)", "SchoolCapacity",
    "SpecialClasses (code)", "SpecialClasses (name)", "CensusDate", "NumberOfPupils", "NumberOfBoys",
    "NumberOfGirls", "PercentageFSM", "TrustSchoolFlag (code)", "TrustSchoolFlag (name)", "Trusts (code)",
    "Trusts (name)", "SchoolSponsorFlag (name)", "SchoolSponsors (name)", "FederationFlag (name)",
    "Federations (code)", "Federations (name)", "UKPRN", "FEHEIdentifier", "FurtherEducationType (name)",
    "OfstedLastInsp", "OfstedSpecialMeasures (code)", "OfstedSpecialMeasures (name)", "LastChangedDate", "Street",
    "Locality", "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite", "TelephoneNum",
    "HeadTitle (name)", "HeadFirstName", "HeadLastName", "HeadPreferredJobTitle", "BSOInspectorateName (name)",
    "InspectorateReport", "DateOfLastInspectionVisit", "NextInspectionVisit", "TeenMoth (name)", "TeenMothPlaces",
    "CCF (name)", "SENPRU (name)", "EBD (name)", "PlacesPRU", "FTProv (name)", "EdByOther (name)",
    "Section41Approved (name)", *(f"SEN{i} (name)" for i in range(1, 14)), "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll", "ResourcedProvisionCapacity", "SenUnitOnRoll", "SenUnitCapacity", "GOR (code)",
    "GOR (name)", "DistrictAdministrative (code)", "DistrictAdministrative (name)", "AdministrativeWard (code)",
    "AdministrativeWard (name)", "ParliamentaryConstituency (code)", "ParliamentaryConstituency (name)",
    "UrbanRural (code)", "UrbanRural (name)", "GSSLACode (name)", "Easting", "Northing", "MSOA (name)",
    "LSOA (name)", "InspectorateName (name)", "SENStat", "SENNoStat", "BoardingEstablishment (name)", "PropsName",
    "PreviousLA (code)", "PreviousLA (name)", "PreviousEstablishmentNumber", "OfstedRating (name)",
    "RSCRegion (name)", "Country (name)", "UPRN", "SiteName", "QABName (code)", "QABName (name)",
    "EstablishmentAccredited (code)", "EstablishmentAccredited (name)", "QABReport", "CHNumber", "MSOA (code)",
    "LSOA (code)", "FSM", "AccreditationExpiryDate",
]
HEADER = PUBLISHED + [f"AdditionalField{i} (name)" for i in range(1, 301 - len(PUBLISHED))]
assert len(HEADER) == 300

TYPES = ["Academy converter", "Community school", "Voluntary aided school", "Academy sponsor led", "Free schools"]
PHASES = ["Primary", "Secondary", "All-through", "Nursery", "16 plus"]
URBAN_RURAL = ["(England/Wales) Urban city and town", "(England/Wales) Rural village",
               "(England/Wales) Urban major conurbation", "(England/Wales) Rural town and fringe"]
DISTRICTS = [("E09000007", "Camden", "Camden"), ("E09000003", "Barnet", "Barnet"),
             ("E08000035", "Leeds", "Leeds"), ("E06000023", "Bristol, City of", "Bristol, City of"),
             ("E07000178", "Oxford", "Oxfordshire")]


@dataclass
class Establishment:
    urn: str
    name: str
    status: str = "Open"
    close_date: str = ""
    type_of_establishment: str = "Community school"
    phase: str = "Primary"
    urban_rural: str = URBAN_RURAL[0]
    district: tuple[str, str, str] = DISTRICTS[2]
    postcode: str = "LS1 1AA"
    trust_code: str = ""
    trust_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def cells(self) -> list[str]:
        values = {
            "URN": self.urn, "EstablishmentName": self.name, "TypeOfEstablishment (name)": self.type_of_establishment,
            "EstablishmentStatus (name)": self.status, "CloseDate": self.close_date,
            "PhaseOfEducation (name)": self.phase, "UrbanRural (name)": self.urban_rural,
            "DistrictAdministrative (code)": self.district[0], "DistrictAdministrative (name)": self.district[1],
            "LA (name)": self.district[2], "Postcode": self.postcode, "Trusts (code)": self.trust_code,
            "Trusts (name)": self.trust_name, "OpenDate": "01-09-2012", "Town": "Leeds",
            "StatutoryLowAge": "4", "StatutoryHighAge": "11", "Country (name)": "United Kingdom",
            "LastChangedDate": "12-03-2026", **self.extra,
        }
        return [values.get(h, "") for h in HEADER]


def establishments(count: int, *, seed: int = 1, first_urn: int = 100_001) -> list[Establishment]:
    """``count`` schools with varied types, phases, districts and trusts (about a third in one)."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        district = rng.choice(DISTRICTS)
        trust = rng.randrange(count // 10 + 1) if rng.random() < 0.35 else None
        out.append(Establishment(
            urn=str(first_urn + i), name=f"{rng.choice(['St Mary’s', 'Hillside', 'Oakwood', 'Beaumont'])} "
                                         f"{rng.choice(['Primary', 'Academy', 'School', 'Infant School'])} {i}",
            type_of_establishment=rng.choice(TYPES), phase=rng.choice(PHASES), urban_rural=rng.choice(URBAN_RURAL),
            district=district, postcode=f"LS{rng.randrange(1, 30)} {rng.randrange(1, 9)}AB",
            trust_code=str(4000 + trust) if trust is not None else "",
            trust_name=f"Learning Trust {trust}" if trust is not None else "",
            extra={"NumberOfPupils": str(rng.randrange(50, 1800)), "TelephoneNum": f"0113{rng.randrange(10**6):06d}",
                   "Street": f"{rng.randrange(1, 200)} High Street", "SchoolWebsite": "www.example.sch.uk"}))
    return out


def extract(rows: list[Establishment], *, encoding: str = "cp1252") -> bytes:
    """The rows as GIAS publishes them (Windows-1252 by default)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(r.cells() for r in rows)
    return buffer.getvalue().encode(encoding)


def links_extract(links: list[tuple[str, str, str]]) -> bytes:
    """GIAS's links extract: ``URN, LinkURN, LinkType`` (plus its other columns)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"])
    writer.writerows([urn, link, "", kind, "01-04-2026"] for urn, link, kind in links)
    return buffer.getvalue().encode("cp1252")
