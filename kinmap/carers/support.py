"""Universal support every carer pack lists. Synthetic "Northshire" services;
the numbers are in the 01632 960 range kept for drama, so they reach nobody."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SupportContact:
    name: str
    phone: str
    when: str
    what: str


UNIVERSAL_SUPPORT: tuple[SupportContact, ...] = (
    SupportContact(
        "Northshire Parent Line",
        "01632 960 200",
        "every day, 8am to 10pm",
        "Someone to talk to when the crying, the tiredness or anything else feels too much.",
    ),
    SupportContact(
        "Health visiting duty line",
        "01632 960 300",
        "weekdays, 9am to 5pm",
        "Questions about the baby's health, feeding, sleep or development.",
    ),
    SupportContact(
        "Northshire Family Hubs",
        "01632 960 100",
        "weekdays, 9am to 5pm",
        "Free baby groups, feeding support and parenting courses near you.",
    ),
    SupportContact(
        "Dads' and male carers' group",
        "01632 960 400",
        "Thursday evenings",
        "Meet other dads and male carers at the Family Hub.",
    ),
)
