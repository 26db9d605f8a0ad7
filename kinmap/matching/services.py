"""Changes made when a new person may already be on the record: link the
existing person to this family, or confirm a new person with a reason, or (for
a bulk load) record a possible match for review. Each audited."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.core.matching import MatchScore
from kinmap.records import models as m
from kinmap.records import services as rs
from kinmap.records.errors import RecordError, refuse_hidden_characters
from kinmap.records.services.common import _touch

from .lookup import Candidate

NO_SOURCE = rs.Source_()


def comparisons_json(score: MatchScore) -> list[dict[str, object]]:
    """A score's comparisons as ``[{"name", "label", "weight"}]`` (the shape the
    review queue keeps; ``label`` None: not compared)."""
    return [
        {"name": c.comparison, "label": c.level, "weight": round(c.weight, 3)} for c in score.contributions
    ]


@transaction.atomic
def person_link(
    *,
    actor: User | None,
    network: m.FamilyNetwork,
    person: m.Person,
    score: MatchScore | None = None,
    related_to: m.Person | None = None,
    relationship: rs.RelationshipData | None = None,
    reverse: bool = False,
    source: rs.Source_ = NO_SOURCE,
    as_index: bool = False,
) -> m.Person:
    """Add ``person``, already on the record, to ``network`` instead of adding
    them again, optionally with their relationship to a member (as
    ``records.services.person_add``). Access to the other networks they are in
    is unchanged; masked details stay masked. Audited with the score's reasons.
    Raises RecordError if they are already a member."""
    try:
        with transaction.atomic():
            m.NetworkMember.objects.create(network=network, person=person, is_index=as_index)
    except IntegrityError:
        raise RecordError(f"{person} is already in this family network", field="__all__") from None
    audit_record(
        actor=actor,
        action="link",
        object_type="network_member",
        object_id=person.pk,
        network_id=network.pk,
        changes={
            "person": [None, person.pk],
            "is_index": [None, as_index],
            "match": comparisons_json(score) if score else [],
            "probability": round(score.probability, 6) if score else None,
        },
        reason=score.reason_text if score else "",
    )
    if relationship is not None:
        if related_to is None:
            raise RecordError("Choose who this person is related to", field="related_to")
        a, b = (related_to, person) if reverse else (person, related_to)
        rs.relationship_create(
            actor=actor,  # type: ignore[arg-type]  # None is the command line
            network=network,
            from_person=a,
            to_person=b,
            data=relationship,
            source=source,
        )
    else:
        _touch(network, actor)
    return person


def person_new_confirmed(
    *,
    actor: User | None,
    network: m.FamilyNetwork,
    person: m.Person,
    rejected: Sequence[Candidate],
    reason: str,
) -> None:
    """Audit that ``person`` was added as new although ``rejected`` were shown
    as possible matches, and why (``reason``, required: RecordError on
    ``match_reason`` when empty). Call inside the transaction that added them."""
    reason = reason.strip()
    if not reason:
        raise RecordError("Say why this is a different person", field="match_reason")
    refuse_hidden_characters(reason, "match_reason", "Why this is a different person", multiline=True)
    audit_record(
        actor=actor,
        action="confirm_new",
        object_type="person",
        object_id=person.pk,
        network_id=network.pk,
        changes={
            "not": [
                {
                    "person": c.person_id,
                    "probability": round(c.score.probability, 6),
                    "reasons": c.score.reason_text,
                }
                for c in rejected
            ]
        },
        reason=reason,
    )


def possible_match_record(
    *, actor: User | None, person: m.Person, candidate: Candidate, network_id: int | None, reason: str
) -> None:
    """Record that ``person`` (just added) may be ``candidate``, for a person to
    review: the pair goes on the review queue (``kinmap.merging``'s
    ``MatchCandidate``, marked found by the import so that a later batch run
    keeps it; rescored if it is waiting there already; a pair a
    reviewer has decided is left as decided, never offered again), and an audit
    event ``possible_match`` keeps the pair, the probability, the match weight
    and the comparisons (``comparisons_json``)."""
    from kinmap.merging.models import CandidateStatus, FoundBy, MatchCandidate

    a, b = sorted((person.pk, candidate.person_id))
    scored = {
        "probability": candidate.score.probability,
        "match_weight": candidate.score.weight,
        "comparisons": comparisons_json(candidate.score),
        "scored_at": timezone.now(),
        # a later batch run (kinmap match) leaves the pair for a person to decide
        "found_by": FoundBy.IMPORT,
    }
    queued, created = MatchCandidate.objects.get_or_create(person_a_id=a, person_b_id=b, defaults=scored)
    if not created and queued.status == CandidateStatus.OPEN:
        MatchCandidate.objects.filter(pk=queued.pk).update(**scored)
    audit_record(
        actor=actor,
        action="possible_match",
        object_type="person",
        object_id=person.pk,
        network_id=network_id,
        changes={
            "person_a": a,
            "person_b": b,
            "probability": round(candidate.score.probability, 6),
            "match_weight": round(candidate.score.weight, 3),
            "comparisons": comparisons_json(candidate.score),
        },
        reason=reason,
    )


@transaction.atomic
def person_add_decided(
    *,
    actor: User,
    network: m.FamilyNetwork,
    data: rs.PersonData,
    link: Candidate | None,
    rejected: Sequence[Candidate] = (),
    reason: str = "",
    source: rs.Source_ = NO_SOURCE,
    related_to: m.Person | None = None,
    relationship: rs.RelationshipData | None = None,
    reverse: bool = False,
    home: m.Household | None = None,
    address: rs.AddressData | None = None,
    other_names: Sequence[tuple[str, str, str]] = (),
) -> m.Person:
    """Add a person after the check for them on the record
    (``kinmap.matching.steps.add_person_check``): link the existing person
    ``link``, or add a new one and, when possible matches were shown
    (``rejected``), audit why they are someone else. One transaction.

    Where a new person lives (``home`` or ``address``) and their other names
    go with them as :func:`kinmap.records.services.person_add` takes them; a
    linked person keeps what is already recorded about them (their stays and
    names are changed on their own pages, where every network holding them
    sees the change)."""
    if link is None and rejected:
        refuse_hidden_characters(reason, "match_reason", "Why this is a different person", multiline=True)
    if link is not None:
        person = m.Person.objects.get(pk=link.person_id)
        return person_link(
            actor=actor,
            network=network,
            person=person,
            score=link.score,
            related_to=related_to,
            relationship=relationship,
            reverse=reverse,
            source=source,
        )
    person = rs.person_add(
        actor=actor,
        network=network,
        data=data,
        source=source,
        related_to=related_to,
        relationship=relationship,
        reverse=reverse,
        home=home,
        address=address,
        other_names=other_names,
    )
    if rejected:
        person_new_confirmed(actor=actor, network=network, person=person, rejected=rejected, reason=reason)
    return person


@transaction.atomic
def network_start_decided(
    *,
    actor: User,
    child: rs.PersonData,
    link: Candidate | None,
    rejected: Sequence[Candidate] = (),
    reason: str = "",
    source: rs.Source_ = NO_SOURCE,
    name: str = "",
) -> m.FamilyNetwork:
    """Start a family network after the check for its child on the record
    (``kinmap.matching.steps.add_person_check``, the step adding a person
    uses): around the existing person ``link`` (joined as the index child, the
    link audited with the match's reasons; their other networks unchanged), or
    around a new child, auditing why they are not ``rejected`` (``reason``,
    required then). One transaction. Raises RecordError as
    ``records.services.network_create`` does."""
    if link is not None:
        person = m.Person.objects.get(pk=link.person_id)
        network = rs.network_create_around(actor=actor, child=person, name=name)
        person_link(actor=actor, network=network, person=person, score=link.score, as_index=True)
        return network
    network = rs.network_create(actor=actor, child=child, source=source, name=name)
    if rejected:
        index = m.NetworkMember.objects.get(network=network, is_index=True).person
        person_new_confirmed(actor=actor, network=network, person=index, rejected=rejected, reason=reason)
    return network
