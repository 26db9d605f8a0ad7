"""``kinmap match``: score everyone on the record against each other with
Splink, train the model on the record, save it for the interactive search,
and fill the review queue with the likely duplicates.

Nothing is merged here: every pair, however likely, waits for a supervisor or
an information officer to decide (a pair of twins or a father and son of the
same name must never be merged by a machine).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kinmap.accounts.models import User
from kinmap.audit.services import audit_record
from kinmap.core.matching import POSSIBLE_PROBABILITY
from kinmap.records import models as rm

from . import splink_model as sm
from . import splink_training as st
from .models import CandidateStatus, FoundBy, MatchCandidate

#: Probability at or above which a pair joins the review queue.
QUEUE_THRESHOLD = POSSIBLE_PROBABILITY
_CHUNK = 5000


def model_path() -> Path:
    """Where the trained model is written: ``settings.KINMAP_MATCH_MODEL_PATH``."""
    return Path(getattr(settings, "KINMAP_MATCH_MODEL_PATH", "var/match-model.json"))


def _starting_model() -> dict[str, Any]:
    """The model in force (the last one trained, else the shipped default,
    completed with any level the default has and it lacks)."""
    from kinmap.matching.weights import model_in_force

    return model_in_force()


def _people_on_record() -> list[int]:
    """Everyone who is a member of a family network (a record merged into
    another is a member of none)."""
    ids = rm.NetworkMember.objects.values_list("person_id", flat=True).distinct().order_by("person_id")
    return list(ids)


def splink_rows() -> Iterator[dict[str, Any]]:
    """The people on the record as :func:`kinmap.merging.splink_model.splink_row`,
    loaded in chunks (three queries per chunk of people)."""
    from kinmap.matching.keys import match_records_load

    ids = _people_on_record()
    for i in range(0, len(ids), _CHUNK):
        for record in match_records_load(ids[i : i + _CHUNK]).values():
            yield sm.splink_row(record)


@dataclass(frozen=True)
class MatchRun:
    """What one run did: people scored, pairs at or above the threshold, new
    pairs queued, pairs left out because a reviewer already decided them."""

    people: int
    pairs: int
    queued: int
    decided_before: int
    model_path: Path


def _comparisons(pair: sm.Pair) -> list[dict[str, Any]]:
    return [{"name": n, "label": label, "weight": round(w, 4)} for n, label, w in pair.levels]


@transaction.atomic
def candidates_store(pairs: list[sm.Pair]) -> tuple[int, int]:
    """Bring the batch's open part of the review queue up to these pairs: new
    pairs are added, open ones rescored, and the batch's own earlier open
    pairs no longer likely dropped. A pair a bulk load put on the queue
    (``FoundBy.IMPORT``) stays until a reviewer decides it, rescored when the
    batch scores it; pairs a reviewer decided (different people, merged) are
    never offered again. Returns (new pairs queued, pairs skipped as decided)."""
    now = timezone.now()
    existing = {(c.person_a_id, c.person_b_id): c for c in MatchCandidate.objects.all()}
    new, update, skipped = [], [], 0
    seen: set[tuple[int, int]] = set()
    for p in pairs:
        key = (p.id_l, p.id_r)
        seen.add(key)
        c = existing.get(key)
        if c is None:
            new.append(
                MatchCandidate(
                    person_a_id=p.id_l,
                    person_b_id=p.id_r,
                    probability=p.probability,
                    match_weight=p.match_weight,
                    comparisons=_comparisons(p),
                    held=p.held,
                    scored_at=now,
                )
            )
        elif c.status != CandidateStatus.OPEN:
            skipped += 1
        else:
            c.probability, c.match_weight, c.comparisons, c.held, c.scored_at = (
                p.probability,
                p.match_weight,
                _comparisons(p),
                p.held,
                now,
            )
            update.append(c)
    MatchCandidate.objects.bulk_create(new, batch_size=1000)
    MatchCandidate.objects.bulk_update(
        update, ["probability", "match_weight", "comparisons", "held", "scored_at"], batch_size=1000
    )
    gone = [
        c.pk
        for k, c in existing.items()
        if c.status == CandidateStatus.OPEN and c.found_by == FoundBy.MATCH_RUN and k not in seen
    ]
    MatchCandidate.objects.filter(pk__in=gone).delete()
    return len(new), skipped


def match_run(
    *,
    actor: User,
    reason: str,
    engine: sm.Engine = "duckdb",
    threshold: float = QUEUE_THRESHOLD,
    spark: Any = None,
    log: Callable[[str], None] | None = None,
) -> MatchRun:
    """Train the model on everyone on the record, save it (Splink JSON, to
    :func:`model_path`), and fill the review queue. One audit event records the
    run (who, why, how many)."""
    say = log or (lambda _line: None)
    rows = list(splink_rows())
    say(f"{len(rows)} people on the record")
    trained = st.train_and_predict(
        rows, engine=engine, threshold=threshold, start=_starting_model(), spark=spark, log=say
    )
    path = model_path()
    st.model_save(trained.model, path)
    say(f"model saved to {path}")
    queued, decided = candidates_store(trained.pairs)
    audit_record(
        actor=actor,
        action="match-run",
        object_type="match-model",
        object_id=path.name[:64],
        changes={
            "people": len(rows),
            "pairs": len(trained.pairs),
            "queued": queued,
            "engine": engine,
            "model_path": str(path),
        },
        reason=reason,
    )
    return MatchRun(len(rows), len(trained.pairs), queued, decided, path)
