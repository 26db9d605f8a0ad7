"""Changes to the family record.

Every service takes keyword-only arguments, runs in one transaction, checks
the network as it would be after the change (``kinmap.core.validation``),
refuses the change with a :class:`RecordError` naming the field at fault (and
saves nothing), and writes the audit event with old and new values.

A record can belong to several family networks (``kinmap.records.membership``).
A change to one is audited against, checked in and recomputed in every network
it belongs to, in the same transaction; a change to an existing relationship,
stay, household, care arrangement or parental responsibility record is refused
(``Http404``, as the pages answer) unless it belongs to the network named and
the actor may see every other network it belongs to (``kinmap.records.access``).

The services live by what they change, and are all imported from here:
``data`` (what a change says: ``PersonData`` and the rest), ``common`` (the
check, audit and after-change hooks every change shares), ``people`` (family
networks, people, facts and other names), ``relationships``, ``residences``
(households and who lives there) and ``care`` (care arrangements and parental
responsibility).
"""

from .care import care_create, care_update, pr_set
from .common import network_touch, on_family_change
from .data import (
    KEY_PERSON_FIELDS,
    NETWORK_NAME_LABEL,
    PERSON_FIELDS,
    AddressData,
    CareData,
    PersonData,
    RelationshipData,
    Source_,
)
from .people import (
    NHS_NUMBER_HELD,
    NHS_NUMBER_LOCK,
    fact_remove,
    fact_set,
    network_create,
    network_create_around,
    other_name_add,
    person_add,
    person_update,
)
from .relationships import relationship_create, relationship_delete, relationship_update
from .residences import household_update, residence_create, residence_update, residences_create

__all__ = [
    "KEY_PERSON_FIELDS",
    "NETWORK_NAME_LABEL",
    "NHS_NUMBER_HELD",
    "NHS_NUMBER_LOCK",
    "PERSON_FIELDS",
    "AddressData",
    "CareData",
    "PersonData",
    "RelationshipData",
    "Source_",
    "care_create",
    "care_update",
    "fact_remove",
    "fact_set",
    "household_update",
    "network_create",
    "network_create_around",
    "network_touch",
    "on_family_change",
    "other_name_add",
    "person_add",
    "person_update",
    "pr_set",
    "relationship_create",
    "relationship_delete",
    "relationship_update",
    "residence_create",
    "residence_update",
    "residences_create",
]
