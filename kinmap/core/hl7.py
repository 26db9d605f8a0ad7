"""HL7 v3 RoleCode values kinmap uses, checked by hand against the RoleCode
code system (http://terminology.hl7.org/CodeSystem/v3-RoleCode).

FHIR libraries validate the structure of a resource, not whether a code
exists, so every code kinmap writes comes from this table; a test checks that
the exported resources use nothing else.
"""

from __future__ import annotations

from .vocab import REL_BY_CODE

ROLE_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
# kinmap's own relationship codes, for relationships RoleCode has no code for.
KINMAP_RELATIONSHIP_SYSTEM = "urn:kinmap:codesystem:relationship"

# code -> display, as in the RoleCode code system
ROLE_CODES: dict[str, str] = {
    "NMTH": "natural mother",
    "NFTH": "natural father",
    "ADOPTM": "adoptive mother",
    "ADOPTF": "adoptive father",
    "STPMTH": "stepmother",
    "STPFTH": "stepfather",
    "PRN": "parent",
    "SPS": "spouse",
    "DOMPART": "domestic partner",
    "SIGOTHR": "significant other",
    "SIB": "sibling",
    "HSIB": "half-sibling",
    "STPSIB": "step sibling",
    "TWIN": "twin",
    "GRPRN": "grandparent",
    "FAMMEMB": "family member",
    "FRND": "unrelated friend",
    "CHILD": "child",
    "NCHILD": "natural child",
    "CHLDADOPT": "adopted child",
    "STPCHLD": "step child",
    "CHLDFOST": "foster child",
    "GRNDCHILD": "grandchild",
}

# The RoleCode of the *other* side of a directional relationship: the child
# of a birth father is a natural child, and so on.
REVERSE_ROLE_CODE: dict[str, str] = {
    "NMTH": "NCHILD",
    "NFTH": "NCHILD",
    "ADOPTM": "CHLDADOPT",
    "ADOPTF": "CHLDADOPT",
    "STPMTH": "STPCHLD",
    "STPFTH": "STPCHLD",
    "x-foster-parent": "CHLDFOST",
    "PRN": "CHILD",
    "GRPRN": "GRNDCHILD",
}


def coding_for(rel_code: str, *, reverse: bool = False) -> dict[str, str]:
    """The FHIR Coding for one side of a relationship.

    ``reverse=False`` codes the from-person's role (the father is NFTH);
    ``reverse=True`` codes the to-person's role (the child is NCHILD).
    """
    t = REL_BY_CODE[rel_code]
    if t.symmetric or not reverse:
        code = t.hl7
        if code is not None:
            return {"system": ROLE_CODE_SYSTEM, "code": code, "display": ROLE_CODES[code]}
        return {"system": KINMAP_RELATIONSHIP_SYSTEM, "code": t.code, "display": t.noun}
    rev = REVERSE_ROLE_CODE.get(rel_code)
    if rev is not None:
        return {"system": ROLE_CODE_SYSTEM, "code": rev, "display": ROLE_CODES[rev]}
    return {"system": KINMAP_RELATIONSHIP_SYSTEM, "code": f"{t.code}:reverse", "display": t.reverse}
