"""The kinds of line in a chronology: codes for the filter and exports, and
their labels (GOV.UK style: sentence case)."""

from __future__ import annotations

PEOPLE = "people"
BIRTHS_DEATHS = "births-deaths"
MOVES = "moves"
RELATIONSHIPS = "relationships"
CARE = "care"
PARENTAL_RESPONSIBILITY = "parental-responsibility"
FACTS = "facts"
CONTACTS = "contacts"
GAPS = "gaps"
INFORMATION_GIVEN = "information-given"
REQUESTS = "requests"
SHARING = "sharing"
SUPERVISION = "supervision"

KIND_LABELS = {
    BIRTHS_DEATHS: "Births and deaths",
    PEOPLE: "People recorded",
    MOVES: "Moves and addresses",
    RELATIONSHIPS: "Relationships",
    CARE: "Care arrangements",
    PARENTAL_RESPONSIBILITY: "Parental responsibility",
    FACTS: "Answers about a person",
    CONTACTS: "Contacts",
    GAPS: "What we still need to know",
    INFORMATION_GIVEN: "Safety information given",
    REQUESTS: "Requests to other agencies",
    SHARING: "Decisions to share",
    SUPERVISION: "Supervisor decisions and actions",
}
