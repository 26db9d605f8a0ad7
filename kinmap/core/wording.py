"""Small pieces of English for sentences built from rule output: a count with
its noun ("1 gap", "3 gaps"), a list ("a, b and c"), and a relationship word
for a person's sex ("son of" rather than "child of" where the sex is known).

Pure functions, no Django. The sexed words follow the GOV.UK style guide's
plain English (gov.uk/guidance/style-guide/a-to-z: "stepfather", "half-brother").
"""

from __future__ import annotations

from collections.abc import Sequence

# Someone recorded only in another family network, in place of their name: a
# user of this network may not be entitled to see that one.
OUTSIDER = "someone in another family network"

# A neutral relationship word and its male and female forms.
SEXED: dict[str, tuple[str, str]] = {
    "child": ("son", "daughter"),
    "stepchild": ("stepson", "stepdaughter"),
    "grandchild": ("grandson", "granddaughter"),
    "grandparent": ("grandfather", "grandmother"),
    "sibling": ("brother", "sister"),
    "half-sibling": ("half-brother", "half-sister"),
    "stepsibling": ("stepbrother", "stepsister"),
}


def count_words(count: int, noun: str, plural: str = "") -> str:
    """``count`` (0 or more) with ``noun`` in the singular for exactly one and
    the plural otherwise ("1 gap", "0 gaps", "2 children"); ``plural`` is the
    plural where it is not the noun with an "s"."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural or noun + 's'}"


def listing(items: Sequence[str]) -> str:
    """Items as a list in a sentence: "", "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def sexed(words: str, sex: str) -> str:
    """Relationship words for a person of ``sex`` (kinmap.core.vocab.Sex values:
    "male", "female"; anything else keeps the neutral word): "child of" becomes
    "son of" or "daughter of", "adopted child of" "adopted son of"; words
    without a sexed form are returned unchanged."""
    if sex not in ("male", "female"):
        return words
    which = 0 if sex == "male" else 1
    return " ".join(SEXED[w][which] if w in SEXED else w for w in words.split(" "))
