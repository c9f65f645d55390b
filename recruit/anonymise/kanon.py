"""k-anonymity by full-domain generalisation with a little record suppression.

Each quasi-identifier has a hierarchy of ever coarser levels (age in 5-year bands, then 10,
then 20, then nothing; county, then region, then nothing). We search the lattice of level
combinations for the least generalised one under which every combination of values is shared
by at least k participants, after suppressing the quasi-identifiers of at most a given share
of them (the approach of Samarati 2001 and of ARX's optimal search, Prasser et al. 2014).
Suppressed rows all read "*", so together they form one more class, which must also hold at
least k; otherwise more rows are suppressed or the node is refused.

Works on the distinct combinations and their counts, not on the rows, so 100,000 rows cost no
more than the few thousand combinations they hold.
"""
import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Hashable, Sequence

STAR = "*"


@dataclass(frozen=True)
class Hierarchy:
    """A quasi-identifier: a name and its levels, finest first; the last level is always "*"."""

    name: str
    levels: Sequence[Callable[[Hashable], str]]
    level_names: Sequence[str] = ()

    @property
    def height(self) -> int:
        return len(self.levels)  # levels 0..height-1 are given; level `height` is "*"

    def generalise(self, value, level: int) -> str:
        if level >= self.height:
            return STAR
        return self.levels[level](value)


@dataclass
class Solution:
    k: int
    achieved_k: int
    levels: dict[str, int]
    suppressed: int  # rows whose quasi-identifiers all read "*"
    population: int
    suppressed_keys: frozenset  # generalised combinations that are suppressed
    classes: int
    # {hierarchy index: {raw value: label at the chosen level}}, filled by anonymise().
    labels: dict = field(default_factory=dict, repr=False, compare=False)
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def generalise(self, hierarchies: Sequence[Hierarchy], raw: tuple) -> tuple:
        # Rows repeat a few thousand combinations: work each out once (labels may be translated).
        key = self._memo.get(raw)
        if key is None:
            key = tuple(
                self.labels[i][value] if value in self.labels.get(i, {}) else h.generalise(value, self.levels[h.name])
                for i, (h, value) in enumerate(zip(hierarchies, raw))
            )
            if key in self.suppressed_keys:
                key = tuple(STAR for _ in hierarchies)
            self._memo[raw] = key
        return key


class CannotAnonymise(ValueError):
    """k cannot be reached (e.g. fewer than k people in all)."""

    def __init__(self, population: int, k: int):
        super().__init__(f"{population} participants cannot be made {k}-anonymous")
        self.population = population
        self.k = k


def anonymise(
    rows: Sequence[tuple] | Counter,
    hierarchies: Sequence[Hierarchy],
    k: int,
    *,
    max_suppression: float = 0.05,
) -> Solution:
    """The least generalisation (fewest levels climbed, then least suppression) that is k-anonymous.

    rows are raw quasi-identifier tuples, in the order of hierarchies (or a Counter of them).
    """
    counts = rows if isinstance(rows, Counter) else Counter(rows)
    population = sum(counts.values())
    if population < k:
        raise CannotAnonymise(population, k)
    if not hierarchies:
        return Solution(k, population, {}, 0, population, frozenset(), 1 if population else 0)
    allowance = int(max_suppression * population)
    # Each distinct value's label at every level, worked out once (labels may be translated).
    table = [
        {value: [h.generalise(value, level) for level in range(h.height + 1)] for value in {raw[i] for raw in counts}}
        for i, h in enumerate(hierarchies)
    ]
    up = _coarsening_maps(table, hierarchies)
    nodes = list(itertools.product(*(range(h.height + 1) for h in hierarchies)))
    # Least information lost first: the share of each hierarchy climbed, summed.
    nodes.sort(key=lambda node: (_loss(node, hierarchies), sum(node), node))
    memo: dict[tuple, Counter] = {}
    best = None
    for node in nodes:
        if best is not None and _loss(node, hierarchies) > best[0]:
            break
        classes = _classes(node, counts, table, up, memo)
        suppressed_keys, suppressed = _suppress(classes, k, allowance)
        if suppressed_keys is None:
            continue
        candidate = (_loss(node, hierarchies), suppressed, node, suppressed_keys, classes)
        if best is None or candidate[:2] < best[:2]:
            best = candidate
    loss, suppressed, node, suppressed_keys, classes = best
    kept = [n for key, n in classes.items() if key not in suppressed_keys]
    sizes = kept + ([suppressed] if suppressed else [])
    return Solution(
        k=k, achieved_k=min(sizes), levels={h.name: level for h, level in zip(hierarchies, node)},
        suppressed=suppressed, population=population, suppressed_keys=frozenset(suppressed_keys),
        classes=len(sizes),
        labels={i: {value: labels[node[i]] for value, labels in table[i].items()} for i in range(len(hierarchies))},
    )


def _coarsening_maps(table, hierarchies):
    """For each hierarchy and level, {label: label one level up}, or None if a label maps to two."""
    maps = []
    for index, hierarchy in enumerate(hierarchies):
        levels = [dict() for _ in range(hierarchy.height)]
        for labels in table[index].values():
            for level in range(hierarchy.height):
                if levels[level].setdefault(labels[level], labels[level + 1]) != labels[level + 1]:
                    return None
        maps.append(levels)
    return maps


def _classes(node, counts, table, up, memo) -> Counter:
    """The class sizes under a node, from a one-step finer node already counted when possible.

    Classes shrink fast as values coarsen, so most nodes cost a pass over a few hundred
    classes instead of over every distinct combination of raw values.
    """
    classes: Counter = Counter()
    if up is not None:
        for i, level in enumerate(node):
            finer = node[:i] + (level - 1,) + node[i + 1:]
            if level > 0 and finer in memo:
                step = up[i][level - 1]
                for key, n in memo[finer].items():
                    classes[key[:i] + (step[key[i]],) + key[i + 1:]] += n
                memo[node] = classes
                return classes
    for raw, n in counts.items():
        classes[tuple(table[i][value][level] for i, (value, level) in enumerate(zip(raw, node)))] += n
    memo[node] = classes
    return classes


def _loss(node, hierarchies) -> float:
    return sum(level / h.height for level, h in zip(node, hierarchies))


def _suppress(classes: Counter, k: int, allowance: int):
    """(keys to suppress, rows suppressed), or (None, 0) if more than the allowance is needed."""
    small = [key for key, n in classes.items() if n < k]
    suppressed = sum(classes[key] for key in small)
    if suppressed > allowance:
        return None, 0
    keys = set(small)
    if 0 < suppressed < k:
        # The "*" rows are a class of their own: fill it up to k from the smallest classes left.
        for key, n in sorted(((key, n) for key, n in classes.items() if key not in keys), key=lambda kv: (kv[1], kv[0])):
            keys.add(key)
            suppressed += n
            if suppressed >= k:
                break
        if suppressed > allowance or suppressed < k:
            return None, 0
    return keys, suppressed
