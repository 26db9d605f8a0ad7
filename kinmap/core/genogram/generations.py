"""Which row (generation) each person of a genogram is drawn on.

Rules, in order of strength:

1. a parent (birth, adoptive, step or foster) is on a row above each child, a
   grandparent at least two rows above the grandchild;
2. partners (current or former) are on the same row, and so are siblings
   recorded directly;
3. people with no family link (a friend, a neighbour who babysits) go on the
   row of the person they are linked to (a carer one row above the child
   they look after), else on the row of the adults (or of the children, for a
   child) around the first index child.

Equal-row groups are merged first; the groups are then placed by the longest
path from the top (Kahn's topological order), and each group that has
children is moved down to just above its nearest child, so that a father
with no parents recorded sits on his child's mother's row rather than with
the grandparents. If merging partners would contradict the parent links (a
record that says someone is their own grandparent's partner), the merges are
dropped and rule 1 alone decides.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from datetime import date

from ..model import Network, Relationship
from ..vocab import PARENT_CODES, PARTNER_CODES, RelKind, rel_type

SIBLING_CODES = frozenset({"SIB", "HSIB", "STPSIB"})
GRANDPARENT = "GRPRN"


class _Groups:
    """Union-find over person ids."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.parent = {i: i for i in ids}

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def generations(network: Network, people: Iterable[int], on: date) -> dict[int, int]:
    """Row number (0 at the top) of each person in ``people``.

    Only relationships and care between people in ``people`` count. Returns a
    mapping for every person in ``people``; rows are numbered from 0 without
    empty rows at the top.
    """
    ids = sorted(set(people))
    drawn = set(ids)
    rels = [
        r for r in network.relationships if r.from_id in drawn and r.to_id in drawn and r.from_id != r.to_id
    ]
    above: list[tuple[int, int, int]] = []  # (upper, lower, rows apart at least)
    same: list[tuple[int, int]] = []
    for r in rels:
        if r.type in PARENT_CODES:
            above.append((r.from_id, r.to_id, 1))
        elif r.type == GRANDPARENT:
            above.append((r.from_id, r.to_id, 2))
        elif r.type in PARTNER_CODES or r.type in SIBLING_CODES:
            same.append((r.from_id, r.to_id))

    rows = _place(ids, above, same)
    if rows is None:
        rows = _place(ids, above, [])
    if rows is None:  # only a parent cycle, which validation refuses, can get here
        rows = _place(ids, [], [])
    assert rows is not None

    _place_unlinked(network, rels, rows, above, same, on)
    top = min(rows.values(), default=0)
    return {pid: row - top for pid, row in rows.items()}


def _place(
    ids: list[int], above: list[tuple[int, int, int]], same: list[tuple[int, int]]
) -> dict[int, int] | None:
    groups = _Groups(ids)
    for a, b in same:
        groups.union(a, b)
    out_edges: dict[int, list[tuple[int, int]]] = defaultdict(list)
    in_degree: dict[int, int] = {groups.find(i): 0 for i in ids}
    for upper, lower, apart in above:
        gu, gl = groups.find(upper), groups.find(lower)
        if gu == gl:
            return None
        out_edges[gu].append((gl, apart))
        in_degree[gl] += 1
    order: list[int] = []
    level = dict.fromkeys(in_degree, 0)
    queue = deque(sorted(g for g, d in in_degree.items() if d == 0))
    while queue:
        g = queue.popleft()
        order.append(g)
        for child, apart in out_edges[g]:
            level[child] = max(level[child], level[g] + apart)
            in_degree[child] -= 1
            if in_degree[child] == 0:
                queue.append(child)
    if len(order) != len(level):
        return None
    # move each group with children down to just above its nearest child
    for g in reversed(order):
        if out_edges[g]:
            level[g] = max(level[g], min(level[c] - apart for c, apart in out_edges[g]))
    return {i: level[groups.find(i)] for i in ids}


def _place_unlinked(
    network: Network,
    rels: list[Relationship],
    rows: dict[int, int],
    above: list[tuple[int, int, int]],
    same: list[tuple[int, int]],
    on: date,
) -> None:
    """Put people with no family link on a sensible row (rule 3), in place."""
    linked = {p for e in above for p in e[:2]} | {p for e in same for p in e}
    loose = [pid for pid in rows if pid not in linked]
    if not loose:
        return
    neighbours: dict[int, list[tuple[int, int]]] = defaultdict(list)  # person -> (other, row offset)
    for r in rels:
        kind = rel_type(r.type).kind
        if kind in (RelKind.SOCIAL, RelKind.RELATIVE):
            neighbours[r.from_id].append((r.to_id, _offset(network, r.from_id, r.to_id, on)))
            neighbours[r.to_id].append((r.from_id, _offset(network, r.to_id, r.from_id, on)))
    for c in network.care:
        if c.carer_id in rows and c.child_id in rows and c.carer_id != c.child_id:
            neighbours[c.carer_id].append((c.child_id, -1))
            neighbours[c.child_id].append((c.carer_id, 1))
    index = next((i for i in network.index_child_ids if i in rows and i in linked), None)
    placed = set(linked)
    # two passes: loose people linked to loose people are placed after them
    for _ in range(2):
        for pid in loose:
            if pid in placed:
                continue
            anchors = [(o, off) for o, off in neighbours.get(pid, []) if o in placed]
            if anchors:
                other, off = min(anchors)
                rows[pid] = rows[other] + off
                placed.add(pid)
    for pid in loose:
        if pid not in placed:
            base = rows[index] if index is not None else 1
            p = network.people[pid]
            rows[pid] = base - 1 if p.birth_date is None or p.is_adult(on) else base


def _offset(network: Network, person: int, other: int, on: date) -> int:
    """Rows below ``other`` to put ``person``: -1 for an adult linked to a child."""
    p, o = network.people[person], network.people[other]
    adult_p = p.birth_date is None or p.is_adult(on)
    child_o = o.birth_date is not None and not o.is_adult(on)
    return -1 if adult_p and child_o else 0
