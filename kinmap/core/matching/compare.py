"""The comparisons of two records, one level per comparison.

Names and level labels are fixed: a Splink model trained on the same
comparisons (``kinmap match``) writes its m and u probabilities against these
labels (``label_for_charts``), so its weights plug into :mod:`.score`. A
comparison answers None when either side has nothing to compare (Splink's null
level: weight 0).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from itertools import product

from .names import (
    SIMILAR_NAME_THRESHOLD,
    day_month_swapped,
    house_number,
    name_parts,
    name_similarity,
    normalise_address_line,
    normalise_nhs,
    normalise_phone,
    normalise_postcode,
    one_edit_apart,
    phonetic_keys,
    postcode_district,
    text_similarity,
)
from .record import MatchRecord

NHS_NUMBER = "nhs_number"
GIVEN_NAME = "given_name"
FAMILY_NAME = "family_name"
DATE_OF_BIRTH = "date_of_birth"
POSTCODE = "postcode"
PHONE = "phone"
ADDRESS = "address"

#: The level, in both name comparisons, of two records whose given and family
#: names are the other way round (see :func:`names_swapped`).
NAMES_SWAPPED = "given and family names swapped"
#: The level, in the given name comparison only, of two records where one
#: record's given name is the other's family name, the other names differing
#: (see :func:`name_moved`).
NAME_MOVED = "one's given name is the other's family name"

#: Each comparison's levels, best first; the last is the "different" level.
LEVELS: dict[str, tuple[str, ...]] = {
    NHS_NUMBER: ("same NHS number", "different NHS number"),
    GIVEN_NAME: (
        "same given name",
        NAMES_SWAPPED,
        "similar given name",
        "given name sounds alike",
        NAME_MOVED,
        "different given name",
    ),
    FAMILY_NAME: (
        "same family name",
        NAMES_SWAPPED,
        "similar family name",
        "family name sounds alike",
        "different family name",
    ),
    DATE_OF_BIRTH: (
        "same date of birth",
        "day and month swapped",
        "date of birth one typing error apart",
        "within the estimate's tolerance",
        "same year of birth",
        "different date of birth",
    ),
    POSTCODE: (
        "same postcode",
        "same postcode district",
        "postcode one typing error apart",
        "different postcode",
    ),
    PHONE: ("same phone number", "different phone number"),
    ADDRESS: ("same first line of address", "similar address", "same town", "different address"),
}
COMPARISONS: tuple[str, ...] = tuple(LEVELS)

#: When either date of birth is an estimate, dates this many days apart or fewer
#: are "within the estimate's tolerance": two years, the usual spread of an age
#: given as "about 30" or judged from appearance.
ESTIMATE_TOLERANCE_DAYS = 730


def _name_level(
    a: MatchRecord, b: MatchRecord, xs: Iterable[str], ys: Iterable[str], name: str
) -> str | None:
    """The level of names ``xs`` of ``a`` against ``ys`` of ``b``: same when
    any two normalised names are equal; :data:`NAMES_SWAPPED` when the current
    names are the other way round (:func:`names_swapped`); else the best over
    every pair: similar when one name's parts are all parts of the other
    (Smith and Smith-Jones) or at Jaro-Winkler >= the threshold; sounds alike
    when they share a Double Metaphone key; for the given name only,
    :data:`NAME_MOVED` (:func:`name_moved`); different."""
    xs, ys = [n for n in xs if name_parts(n)], [n for n in ys if name_parts(n)]
    if not xs or not ys:
        return None
    same, swapped, similar, sounds = LEVELS[name][:4]
    different = LEVELS[name][-1]
    if any(name_parts(x) == name_parts(y) for x, y in product(xs, ys)):
        return same
    if names_swapped(a, b):
        return swapped
    best = different
    for x, y in product(xs, ys):
        px, py = name_parts(x), name_parts(y)
        if set(px) <= set(py) or set(py) <= set(px) or name_similarity(x, y) >= SIMILAR_NAME_THRESHOLD:
            return similar
        if phonetic_keys(x) & phonetic_keys(y):
            best = sounds
    if best == different and name == GIVEN_NAME and name_moved(a, b):
        return NAME_MOVED
    return best


def names_swapped(a: MatchRecord, b: MatchRecord) -> bool:
    """Whether the current given and family names of ``a`` are those of ``b``
    the other way round (Wei Li against Li Wei; "Fardell Alicia" against
    "Alicia Fardwll"): each name of one at Jaro-Winkler >= the "similar"
    threshold (equal included) to the other kind of name of the other,
    compared as one word (:func:`~.names.name_similarity`). A common error of
    data entry, and of names whose order differs by culture (Chinese,
    Hungarian, Vietnamese family names come first)."""
    return (
        name_similarity(a.given_name, b.family_name) >= SIMILAR_NAME_THRESHOLD
        and name_similarity(a.family_name, b.given_name) >= SIMILAR_NAME_THRESHOLD
    )


def name_moved(a: MatchRecord, b: MatchRecord) -> bool:
    """Whether the current given name of one record is, at Jaro-Winkler >= the
    "similar" threshold compared as one word, the current family name of the
    other ("Gillian Lodge" against "Lodge Adele"; "Alicia Heron" against "Heron
    Brooke"): one name put in the other's place, the other name replaced or
    left out. Weighed once, in the given name's comparison (the family name's
    comparison weighs the other name as it is)."""
    return (
        name_similarity(a.given_name, b.family_name) >= SIMILAR_NAME_THRESHOLD
        or name_similarity(a.family_name, b.given_name) >= SIMILAR_NAME_THRESHOLD
    )


def compare_given_name(a: MatchRecord, b: MatchRecord) -> str | None:
    """``given_name``: the best level over current and other given names
    (:data:`NAMES_SWAPPED` and, when no level but "different" holds,
    :data:`NAME_MOVED` judged on the current names)."""
    return _name_level(a, b, a.given_names, b.given_names, GIVEN_NAME)


def compare_family_name(a: MatchRecord, b: MatchRecord) -> str | None:
    """``family_name``: the best level over current, previous and other family
    names on either side (a married name against a birth name is "same";
    :data:`NAMES_SWAPPED` judged on the current names)."""
    return _name_level(a, b, a.family_names, b.family_names, FAMILY_NAME)


def compare_nhs_number(a: MatchRecord, b: MatchRecord) -> str | None:
    """``nhs_number``: same or different (digits only); None when either is missing."""
    x, y = normalise_nhs(a.nhs_number), normalise_nhs(b.nhs_number)
    if not x or not y:
        return None
    return LEVELS[NHS_NUMBER][0 if x == y else 1]


def _dob_level(x: date, y: date, estimated: bool) -> str:
    labels = LEVELS[DATE_OF_BIRTH]
    if x == y:
        return labels[0]
    if day_month_swapped(x) == y:
        return labels[1]
    if abs(x.year - y.year) < 10 and one_edit_apart(x.strftime("%Y%m%d"), y.strftime("%Y%m%d")):
        return labels[2]
    if estimated and abs((x - y).days) <= ESTIMATE_TOLERANCE_DAYS:
        return labels[3]
    if x.year == y.year:
        return labels[4]
    return labels[5]


def compare_date_of_birth(a: MatchRecord, b: MatchRecord) -> str | None:
    """``date_of_birth``: same; day and month swapped (3 April against 4 March);
    one typing error apart written as YYYYMMDD (:func:`~.names.one_edit_apart`),
    years under 10 apart (1987-03-12 against 1987-08-12 or 1987-03-21; never a
    different decade or century, which would be a parent and child of one
    name); within :data:`ESTIMATE_TOLERANCE_DAYS` when either date is an
    estimate; same year; different. None when either is missing."""
    if a.birth_date is None or b.birth_date is None:
        return None
    return _dob_level(a.birth_date, b.birth_date, a.birth_date_estimated or b.birth_date_estimated)


def compare_postcode(a: MatchRecord, b: MatchRecord) -> str | None:
    """``postcode``: the best over every postcode of each: same full postcode;
    same outward code (district); one typing error apart (:func:`~.names.one_edit_apart`,
    the only near level for a postcode too short to have a district); different.
    None when either has none."""
    xs = {p for p in map(normalise_postcode, a.postcodes) if p}
    ys = {p for p in map(normalise_postcode, b.postcodes) if p}
    if not xs or not ys:
        return None
    labels = LEVELS[POSTCODE]
    if xs & ys:
        return labels[0]
    dx, dy = {postcode_district(p) for p in xs} - {""}, {postcode_district(p) for p in ys} - {""}
    if dx & dy:
        return labels[1]
    return labels[2] if any(one_edit_apart(x, y) for x, y in product(xs, ys)) else labels[3]


def compare_phone(a: MatchRecord, b: MatchRecord) -> str | None:
    """``phone``: same when any number of one is a number of the other (digits,
    +44 as 0); None when either has none."""
    xs = {p for p in map(normalise_phone, a.phones) if p}
    ys = {p for p in map(normalise_phone, b.phones) if p}
    if not xs or not ys:
        return None
    return LEVELS[PHONE][0 if xs & ys else 1]


#: Jaro-Winkler similarity of two normalised first lines of address at or above
#: which they are "similar" (a typing error in the street name).
SIMILAR_ADDRESS_THRESHOLD = 0.9


def address_line_key(line_1: str, line_2: str = "") -> str:
    """The first line of an address as compared: :func:`normalise_address_line`
    of the first line, or of the second when the first is empty."""
    return normalise_address_line(line_1) or normalise_address_line(line_2)


def address_words(line_1: str, line_2: str = "") -> str:
    """The words of the first two lines of an address, normalised
    (:func:`normalise_address_line`), each once, in alphabetical order: the
    same for "9 Covington Crescent, March Rising" and "9 March Rising,
    Covington Crescent" (a house name and a street, or a flat and a building,
    put on the lines in another order). "" for none."""
    words = f"{normalise_address_line(line_1)} {normalise_address_line(line_2)}".split()
    return " ".join(sorted(set(words)))


def compare_address(a: MatchRecord, b: MatchRecord) -> str | None:
    """``address``: the best over every address of each (postcodes are their
    own comparison): the same first line (normalised); similar (first lines at
    Jaro-Winkler >= :data:`SIMILAR_ADDRESS_THRESHOLD`, the same words on the
    first two lines in another order (:func:`address_words`), or the same
    house number in towns at Jaro-Winkler >= the same threshold, a typing
    error in the town allowed); the same town; different. None when either
    has no first line and no town."""
    xs = [
        (address_line_key(l1, l2), normalise_address_line(t), address_words(l1, l2))
        for l1, l2, t in a.addresses
    ]
    ys = [
        (address_line_key(l1, l2), normalise_address_line(t), address_words(l1, l2))
        for l1, l2, t in b.addresses
    ]
    xs, ys = [x for x in xs if any(x)], [y for y in ys if any(y)]
    if not xs or not ys:
        return None
    labels = LEVELS[ADDRESS]
    best = len(labels) - 1
    for (lx, tx, wx), (ly, ty, wy) in product(xs, ys):
        if lx and lx == ly:
            return labels[0]
        hx, hy = house_number(lx), house_number(ly)
        if (
            (lx and ly and text_similarity(lx, ly) >= SIMILAR_ADDRESS_THRESHOLD)
            or (wx and wx == wy)
            or (hx and hx == hy and text_similarity(tx, ty) >= SIMILAR_ADDRESS_THRESHOLD)
        ):
            best = min(best, 1)
        elif tx and tx == ty:
            best = min(best, 2)
    return labels[best]


COMPARE: dict[str, Callable[[MatchRecord, MatchRecord], str | None]] = {
    NHS_NUMBER: compare_nhs_number,
    GIVEN_NAME: compare_given_name,
    FAMILY_NAME: compare_family_name,
    DATE_OF_BIRTH: compare_date_of_birth,
    POSTCODE: compare_postcode,
    PHONE: compare_phone,
    ADDRESS: compare_address,
}


def compare(a: MatchRecord, b: MatchRecord) -> dict[str, str | None]:
    """Every comparison's level label (None: not compared), keyed by comparison name."""
    return {name: fn(a, b) for name, fn in COMPARE.items()}
