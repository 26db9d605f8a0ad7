"""kinmap's record linkage model in Splink (5.0): the table Splink reads, the
comparisons, the blocking rules and the scored pairs; training and prediction
are in :mod:`.splink_training`. No Django: the batch match
(:mod:`kinmap.merging.batch`) and the benchmark both use it.

Every name, postcode, telephone number and date is normalised in Python by the
matching core (:mod:`kinmap.core.matching`) before Splink sees it, so the batch
and the interactive search compare the same values. The comparisons carry the
core's names and level labels (:data:`kinmap.core.matching.LEVELS`) as
``output_column_name`` and ``label_for_charts``, so the m and u probabilities
trained here are read by the interactive scorer (:mod:`kinmap.core.matching.score`).

Where the batch differs from the interactive comparison (documented in the
README): "similar" names are judged on the current names only (the interactive
scorer tries previous and other names too); a postcode one character different
and a "similar" address are judged on the first postcode and address only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from kinmap.core.matching import ESTIMATE_TOLERANCE_DAYS, LEVELS, MatchRecord, phonetic_keys
from kinmap.core.matching.compare import (
    FAMILY_NAME,
    GIVEN_NAME,
    NAME_MOVED,
    NAMES_SWAPPED,
    SIMILAR_ADDRESS_THRESHOLD,
    address_line_key,
    address_words,
)
from kinmap.core.matching.names import (
    SIMILAR_NAME_THRESHOLD,
    day_month_swapped,
    house_number,
    name_parts,
    normalise_address_line,
    normalise_name,
    normalise_nhs,
    normalise_phone,
    normalise_postcode,
    postcode_district,
    primary_key,
    street_name,
)

Engine = Literal["duckdb", "spark"]
ID = "person_id"

#: The first letters of the family names are the same (in SQL every engine reads).
_INITIALS = "substr(l.family_joined, 1, 1) = substr(r.family_joined, 1, 1)"

#: The blocking rules that choose which pairs are scored: a pair is scored when
#: any one holds. Together they find a duplicate whose NHS number, date of
#: birth, or sound of the name was recorded differently, as long as one other
#: thing agrees; each keeps the number of pairs near linear in the number of
#: people (no rule on a common value alone, such as a year of birth).
BLOCKING_RULES: tuple[str, ...] = (
    "l.nhs_number = r.nhs_number",
    "l.dob_day = r.dob_day AND l.family_key = r.family_key",
    "l.dob_day = r.dob_day AND l.given_key = r.given_key",
    "l.given_key = r.given_key AND l.family_key = r.family_key AND l.birth_year = r.birth_year",
    "l.given_key = r.family_key AND l.family_key = r.given_key",
    "l.family_key = r.family_key AND l.postcode = r.postcode",
    "l.dob_day = r.dob_day AND l.postcode = r.postcode",
    "l.given_key = r.given_key AND l.postcode = r.postcode",
    "l.address_line = r.address_line AND l.given_key = r.given_key",
    "l.address_line = r.address_line AND l.family_key = r.family_key",
    "l.address_line = r.address_line AND l.dob_day = r.dob_day",
    "l.address_line = r.address_line AND l.postcode = r.postcode",
    "l.address_line = r.address_line AND l.town = r.town",
    "l.postcode = r.postcode AND l.house_number = r.house_number",
    "l.street = r.street AND l.town = r.town",
    "l.street = r.street AND l.given_key = r.given_key",
    "l.given_key = r.given_key AND l.family_key = r.family_key AND l.house_number = r.house_number",
    "l.given_key = r.given_key AND l.family_key = r.family_key AND l.town = r.town",
    "l.dob_day = r.dob_day AND l.town = r.town",
    "l.dob_day = r.dob_day AND l.house_number = r.house_number",
    "l.phone = r.phone",
    # names the other way round, one of them misspelt: the sound of the other
    # with the postcode (either way round: Splink puts the lower id on the left)
    "l.family_key = r.given_key AND l.postcode = r.postcode",
    "l.given_key = r.family_key AND l.postcode = r.postcode",
    # postcode, street and town all typed differently: the house number with a name
    "l.family_key = r.family_key AND l.house_number = r.house_number",
    f"l.given_key = r.given_key AND l.house_number = r.house_number AND {_INITIALS}",
    # a name typed so that it sounds different: the date of birth with the
    # family name's first letter (a typing error is rarely in the first letter)
    f"l.dob_day = r.dob_day AND {_INITIALS}",
)
#: The blocking rules of the EM training sessions: each leaves out a
#: comparison or two, so that between them every comparison's m is trained.
#: Pairs with one NHS number are nearly all one person, so the first session
#: learns how a person's other details vary between records (where there are
#: NHS numbers: a data set without them skips it).
TRAINING_RULES: tuple[str, ...] = (
    "l.nhs_number = r.nhs_number",
    "l.dob_day = r.dob_day",
    "l.given_key = r.given_key AND l.postcode = r.postcode",
)
#: Rules that are nearly always right, to estimate how likely two people picked
#: at random are the same (Splink's ``estimate_probability_two_random_records_match``).
DETERMINISTIC_RULES: tuple[str, ...] = (
    "l.nhs_number = r.nhs_number",
    "l.given_name = r.given_name AND l.family_name = r.family_name AND l.dob_day = r.dob_day",
)
#: The prior (probability that two records picked at random are one person)
#: is kept within these bounds: an estimate outside them (0 when a handful of
#: people have no pair in common) leaves the previous value.
PRIOR_MIN, PRIOR_MAX = 1e-12, 0.5
#: Share of true duplicates the deterministic rules are taken to find.
DETERMINISTIC_RECALL = 0.7

COLUMNS = (
    ID,
    "nhs_number",
    "given_name",
    "given_names",
    "given_parts",
    "given_joined",
    "given_keys",
    "given_key",
    "family_name",
    "family_names",
    "family_parts",
    "family_joined",
    "family_keys",
    "family_key",
    "dob_day",
    "dob_swapped_day",
    "dob_text",
    "birth_year",
    "dob_estimated",
    "postcodes",
    "districts",
    "postcode",
    "phones",
    "phone",
    "address_keys",
    "address_lines",
    "address_line",
    "address_words",
    "house_number",
    "street",
    "towns",
    "town",
)


def _list(values: Iterable[str]) -> list[str] | None:
    out = sorted({v for v in values if v})
    return out or None


@lru_cache(maxsize=500_000)
def _name(value: str) -> tuple[str, tuple[str, ...], frozenset[str], str]:
    """One name as the matching core makes it comparable: normalised, its
    parts, its sound-alike keys and its primary key. Cached: names repeat (a
    million people have some tens of thousands of names)."""
    return normalise_name(value), name_parts(value), phonetic_keys(value), primary_key(value)


def _names(current: str, every: Sequence[str], prefix: str) -> dict[str, Any]:
    norm, parts, _keys, primary = _name(current)
    keys: set[str] = set()
    for n in every:
        keys |= _name(n)[2]
    return {
        f"{prefix}_name": norm or None,
        f"{prefix}_names": _list(_name(n)[0] for n in every),
        f"{prefix}_parts": list(parts) or None,
        f"{prefix}_joined": "".join(parts) or None,
        f"{prefix}_keys": _list(keys),
        f"{prefix}_key": primary or None,
    }


def splink_row(r: MatchRecord) -> dict[str, Any]:
    """One person as the table Splink reads (:data:`COLUMNS`), normalised by the
    matching core. Missing values are None (Splink's null level); dates are day
    numbers (``date.toordinal``), so that the SQL is the same on every engine."""
    swapped = day_month_swapped(r.birth_date) if r.birth_date else None
    postcodes = _list(normalise_postcode(p) for p in r.postcodes)
    phones = _list(normalise_phone(p) for p in r.phones)
    addresses = [(address_line_key(l1, l2), normalise_address_line(t)) for l1, l2, t in r.addresses]
    first = next((raw for raw, a in zip(r.addresses, addresses, strict=True) if any(a)), ("", "", ""))
    addresses = [a for a in addresses if any(a)]
    line, town = addresses[0] if addresses else ("", "")
    return {
        ID: r.person_id,
        "nhs_number": normalise_nhs(r.nhs_number) or None,
        **_names(r.given_name, r.given_names, "given"),
        **_names(r.family_name, r.family_names, "family"),
        "dob_day": r.birth_date.toordinal() if r.birth_date else None,
        "dob_swapped_day": swapped.toordinal() if swapped else None,
        "dob_text": r.birth_date.strftime("%Y%m%d") if r.birth_date else None,
        "birth_year": r.birth_date.year if r.birth_date else None,
        "dob_estimated": bool(r.birth_date_estimated),
        "postcodes": postcodes,
        "districts": _list(postcode_district(p) for p in postcodes or ()),
        "postcode": postcodes[0] if postcodes else None,
        "phones": phones,
        "phone": phones[0] if phones else None,
        "address_keys": _list(f"{a}|{t}" for a, t in addresses),
        "address_lines": _list(a for a, _t in addresses),
        "address_line": line or None,
        "address_words": address_words(first[0], first[1]) or None,
        "house_number": house_number(line) or None,
        "street": street_name(line) or None,
        "towns": _list(t for _a, t in addresses),
        "town": town or None,
    }


#: "One name's parts are all parts of the other" (Smith and Smith-Jones), in
#: each engine's SQL: the size of the intersection is the smaller size.
_SUBSET_SQL = {
    "duckdb": "len(list_intersect({c}_l, {c}_r)) = least(len({c}_l), len({c}_r))",
    "spark": "size(array_intersect({c}_l, {c}_r)) = least(size({c}_l), size({c}_r))",
}


#: Each engine's Jaro-Winkler similarity function (Splink's dialects).
_JARO_WINKLER = {"duckdb": "jaro_winkler_similarity", "spark": "jaro_winkler"}


def names_swapped_sql(engine: Engine) -> str:
    """:func:`kinmap.core.matching.compare.names_swapped` in ``engine``'s SQL:
    each current name, as one word, at Jaro-Winkler >= the "similar" threshold
    to the other kind of name of the other record."""
    jw = _JARO_WINKLER[engine]
    return " AND ".join(
        f"{jw}({x}_joined_l, {y}_joined_r) >= {SIMILAR_NAME_THRESHOLD}"
        for x, y in (("given", "family"), ("family", "given"))
    )


def name_moved_sql(engine: Engine) -> str:
    """:func:`kinmap.core.matching.compare.name_moved` in ``engine``'s SQL:
    either record's current given name, as one word, at Jaro-Winkler >= the
    "similar" threshold to the other's current family name."""
    jw = _JARO_WINKLER[engine]
    return " OR ".join(
        f"{jw}({x}_joined_l, {y}_joined_r) >= {SIMILAR_NAME_THRESHOLD}"
        for x, y in (("given", "family"), ("family", "given"))
    )


def _name_comparison(name: str, prefix: str, engine: Engine) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    same, swapped, similar, sounds = LEVELS[name][:4]
    different = LEVELS[name][-1]
    subset = _SUBSET_SQL[engine].format(c=f"{prefix}_parts")
    # one name in the other's place: the given name's comparison only
    moved = (
        [cll.CustomLevel(name_moved_sql(engine)).configure(label_for_charts=NAME_MOVED)]
        if name == GIVEN_NAME
        else []
    )
    return cl.CustomComparison(
        output_column_name=name,
        comparison_description=name.replace("_", " "),
        comparison_levels=[
            cll.NullLevel(f"{prefix}_names"),
            # weighed by how common the current name is (term frequency,
            # the same in the search: kinmap.core.matching.score)
            cll.ArrayIntersectLevel(f"{prefix}_names", 1).configure(
                label_for_charts=same,
                tf_adjustment_column=f"{prefix}_name",
                disable_tf_exact_match_detection=True,
            ),
            # names the other way round: one piece of evidence, weighed once,
            # in the given name's comparison (the family name's adds nothing)
            cll.CustomLevel(names_swapped_sql(engine)).configure(
                label_for_charts=swapped, is_null_level=name != GIVEN_NAME
            ),
            cll.Or(
                cll.CustomLevel(subset),
                cll.JaroWinklerLevel(f"{prefix}_joined", SIMILAR_NAME_THRESHOLD),
            ).configure(label_for_charts=similar),
            cll.ArrayIntersectLevel(f"{prefix}_keys", 1).configure(label_for_charts=sounds),
            *moved,
            cll.ElseLevel().configure(label_for_charts=different),
        ],
    )


def _two_level(name: str, column: str, same_sql: Any) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    same, different = LEVELS[name]
    return cl.CustomComparison(
        output_column_name=name,
        comparison_description=name.replace("_", " "),
        comparison_levels=[
            cll.NullLevel(column),
            same_sql.configure(label_for_charts=same),
            cll.ElseLevel().configure(label_for_charts=different),
        ],
    )


def comparisons(engine: Engine = "duckdb") -> list[Any]:
    """The seven comparisons, in the matching core's order, as Splink comparison
    creators (translated by Splink to ``engine``'s SQL)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    dob = LEVELS["date_of_birth"]
    postcode = LEVELS["postcode"]
    address = LEVELS["address"]
    tolerance = (
        f"(dob_estimated_l OR dob_estimated_r) AND abs(dob_day_l - dob_day_r) <= {ESTIMATE_TOLERANCE_DAYS}"
    )
    return [
        _two_level("nhs_number", "nhs_number", cll.ExactMatchLevel("nhs_number")),
        _name_comparison("given_name", "given", engine),
        _name_comparison("family_name", "family", engine),
        cl.CustomComparison(
            output_column_name="date_of_birth",
            comparison_description="date of birth",
            comparison_levels=[
                cll.NullLevel("dob_day"),
                cll.ExactMatchLevel("dob_day").configure(label_for_charts=dob[0]),
                cll.CustomLevel("dob_swapped_day_l = dob_day_r").configure(label_for_charts=dob[1]),
                cll.And(
                    cll.DamerauLevenshteinLevel("dob_text", 1),
                    cll.CustomLevel("abs(birth_year_l - birth_year_r) < 10"),
                ).configure(label_for_charts=dob[2]),
                cll.CustomLevel(tolerance).configure(label_for_charts=dob[3]),
                cll.ExactMatchLevel("birth_year").configure(label_for_charts=dob[4]),
                cll.ElseLevel().configure(label_for_charts=dob[5]),
            ],
        ),
        cl.CustomComparison(
            output_column_name="postcode",
            comparison_description="postcode",
            comparison_levels=[
                cll.NullLevel("postcodes"),
                cll.ArrayIntersectLevel("postcodes", 1).configure(label_for_charts=postcode[0]),
                cll.ArrayIntersectLevel("districts", 1).configure(label_for_charts=postcode[1]),
                cll.DamerauLevenshteinLevel("postcode", 1).configure(label_for_charts=postcode[2]),
                cll.ElseLevel().configure(label_for_charts=postcode[3]),
            ],
        ),
        _two_level("phone", "phones", cll.ArrayIntersectLevel("phones", 1)),
        cl.CustomComparison(
            output_column_name="address",
            comparison_description="address",
            comparison_levels=[
                cll.NullLevel("address_keys"),
                cll.ArrayIntersectLevel("address_lines", 1).configure(label_for_charts=address[0]),
                cll.Or(
                    cll.JaroWinklerLevel("address_line", SIMILAR_ADDRESS_THRESHOLD),
                    cll.ExactMatchLevel("address_words"),
                    cll.And(
                        cll.ExactMatchLevel("house_number"),
                        cll.JaroWinklerLevel("town", SIMILAR_ADDRESS_THRESHOLD),
                    ),
                ).configure(label_for_charts=address[1]),
                cll.ArrayIntersectLevel("towns", 1).configure(label_for_charts=address[2]),
                cll.ElseLevel().configure(label_for_charts=address[3]),
            ],
        ),
    ]


def _starting_values(settings: dict[str, Any], start: dict[str, Any] | None) -> None:
    """Put the m and u of ``start`` (a saved model) on the levels of the same
    label, so that a comparison EM cannot train keeps a sensible value."""
    if not start:
        return
    known = {
        (c["output_column_name"], lv.get("label_for_charts")): lv
        for c in start.get("comparisons", [])
        for lv in c.get("comparison_levels", [])
    }
    for c in settings["comparisons"]:
        for lv in c["comparison_levels"]:
            old = known.get((c["output_column_name"], lv.get("label_for_charts")))
            if old and not lv.get("is_null_level"):
                for key in ("m_probability", "u_probability"):
                    if old.get(key) is not None:
                        lv[key] = old[key]


def settings_dict(
    engine: Engine, *, link_type: str = "dedupe_only", start: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The Splink settings of kinmap's model for ``engine``, as a dict, with
    the m and u of ``start`` (a saved model) as starting values."""
    from splink import SettingsCreator

    creator = SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        unique_id_column_name=ID,
        comparisons=comparisons(engine),
        blocking_rules_to_generate_predictions=[{"blocking_rule": r} for r in BLOCKING_RULES],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,  # the gamma_ columns (levels) come back only with it
        max_iterations=20,
        probability_two_random_records_match=(start or {}).get("probability_two_random_records_match", 1e-5),
    )
    settings: dict[str, Any] = creator.create_settings_dict(sql_dialect_str=engine)
    _starting_values(settings, start)
    return settings


@dataclass(frozen=True)
class Pair:
    """One scored pair: ids (``id_l < id_r``), match weight (bits), probability,
    and each comparison's ``(label, weight)``, label None when not compared."""

    id_l: int
    id_r: int
    match_weight: float
    probability: float
    levels: tuple[tuple[str, str | None, float], ...]
    held: str = ""


#: The probability a hard case is held at: below the search's certainty
#: (:data:`kinmap.core.matching.CERTAIN_PROBABILITY`), above the review queue's
#: threshold, so a person always decides.
HARD_CASE_PROBABILITY = 0.99
#: "same year of birth" and "different date of birth"
_DIFFERENT_DOB = set(LEVELS["date_of_birth"][-2:])


def hard_case(levels: dict[str, str | None]) -> str:
    """Why a pair must never look certain though its details agree ("" if it
    need not). A Fellegi-Sunter model adds up independent evidence, so it
    cannot see that twins share everything but a given name, or that a parent
    and child of the same name share everything but a date of birth:

    - twins: same family name and date of birth, different given names, no
      NHS number in common;
    - a parent and child (or grandparent and grandchild) of one name: same
      given and family name, dates of birth in different years or days apart
      that are not a swap or an estimate, no NHS number in common."""
    same_nhs = levels.get("nhs_number") == LEVELS["nhs_number"][0]
    if same_nhs:
        return ""
    same_family = levels.get("family_name") == LEVELS["family_name"][0]
    if (
        same_family
        and levels.get("date_of_birth") == LEVELS["date_of_birth"][0]
        and levels.get("given_name") in (LEVELS["given_name"][-1], NAME_MOVED)
    ):
        return "could be twins: same family name and date of birth, different given names"
    if (
        same_family
        and levels.get("given_name") == LEVELS["given_name"][0]
        and (levels.get("date_of_birth") in _DIFFERENT_DOB)
    ):
        return "could be a parent and child of the same name: different dates of birth"
    return ""


def _level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Splink's comparison vector value -> label, per comparison: the null level
    is -1, the others count down to 0 for the last."""
    out: dict[str, dict[int, str]] = {}
    for c in model["comparisons"]:
        levels = [lv for lv in c["comparison_levels"] if not lv.get("is_null_level")]
        n = len(levels)
        out[c["output_column_name"]] = {n - 1 - i: lv["label_for_charts"] for i, lv in enumerate(levels)}
    return out


def pairs_from_rows(rows: Iterable[dict[str, Any]], model: dict[str, Any]) -> Iterator[Pair]:
    """Splink prediction rows (with ``gamma_`` and ``mw_`` columns) as :class:`Pair`,
    a :func:`hard_case` held at :data:`HARD_CASE_PROBABILITY` at most. The
    family name of a pair whose names are swapped (a null level in Splink:
    the given name's comparison weighs the swap) is labelled as swapped too,
    with weight 0, as the matching core labels it."""
    labels = _level_labels(model)
    for row in rows:
        levels: list[tuple[str, str | None, float]] = []
        for name, by_value in labels.items():
            gamma = row[f"gamma_{name}"]
            label = by_value.get(int(gamma)) if gamma is not None and gamma >= 0 else None
            # the level's weight and its term-frequency adjustment (a name's)
            weight = (
                float(row[f"mw_{name}"]) + float(row.get(f"mw_tf_adj_{name}") or 0.0)
                if label is not None
                else 0.0
            )
            if name == FAMILY_NAME and levels and levels[-1][:2] == (GIVEN_NAME, NAMES_SWAPPED):
                label, weight = NAMES_SWAPPED, 0.0
            levels.append((name, label, weight))
        a, b = sorted((int(row[f"{ID}_l"]), int(row[f"{ID}_r"])))
        probability = float(row["match_probability"])
        held = hard_case({n: label for n, label, _w in levels})
        if held:
            probability = min(probability, HARD_CASE_PROBABILITY)
        yield Pair(a, b, float(row["match_weight"]), probability, tuple(levels), held)
