"""Bands for ages and years of experience: "30–39", "20+", "<30"."""
from dataclasses import dataclass
from typing import Sequence

# En dash between the ends of a band, as in a printed table.
DASH = "\u2013"


@dataclass(frozen=True)
class Band:
    lo: int | None  # inclusive; None: open below
    hi: int | None  # inclusive; None: open above

    @property
    def label(self) -> str:
        if self.lo is None and self.hi is None:
            return "all"
        if self.lo is None:
            return f"<{self.hi + 1}"
        if self.hi is None:
            return f"{self.lo}+"
        if self.lo == self.hi:
            return str(self.lo)
        return f"{self.lo}{DASH}{self.hi}"

    def contains(self, value: int) -> bool:
        return (self.lo is None or value >= self.lo) and (self.hi is None or value <= self.hi)

    def join(self, other: "Band") -> "Band":
        """The band covering this one and its neighbour."""
        first, second = (self, other) if _low(self) <= _low(other) else (other, self)
        return Band(first.lo, second.hi)


def _low(band: Band) -> float:
    return float("-inf") if band.lo is None else band.lo


def bands_from_edges(edges: Sequence[int]) -> list[Band]:
    """Bands starting at each edge; the last is open above. A first edge above 0 adds "<edge".

    (0, 5, 10, 20) -> 0–4, 5–9, 10–19, 20+;  (30, 40) -> <30, 30–39, 40+.
    """
    edges = sorted(set(int(edge) for edge in edges))
    if not edges:
        raise ValueError("at least one band edge is needed")
    if edges[0] < 0:
        raise ValueError("band edges must not be negative")
    bands = [] if edges[0] == 0 else [Band(None, edges[0] - 1)]
    for lo, hi in zip(edges, edges[1:] + [None]):
        bands.append(Band(lo, None if hi is None else hi - 1))
    return bands


def bands_of_width(width: int, start: int = 30, stop: int = 70) -> list[Band]:
    """Equal bands from start to stop: width 10 -> <30, 30–39, …, 60–69, 70+."""
    if width < 1:
        raise ValueError("a band is at least one year wide")
    return bands_from_edges(range(start, stop + 1, width))


def parse_edges(text: str) -> list[int]:
    """"0, 5, 10, 20" -> [0, 5, 10, 20]; raises ValueError with a readable reason."""
    parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    try:
        edges = [int(part) for part in parts]
    except ValueError:
        raise ValueError("band edges are whole numbers separated by commas") from None
    if not edges:
        raise ValueError("at least one band edge is needed")
    if any(edge < 0 for edge in edges):
        raise ValueError("band edges must not be negative")
    if sorted(set(edges)) != edges:
        raise ValueError("band edges must increase")
    return edges


def band_index(value: int, bands: Sequence[Band]) -> int:
    for index, band in enumerate(bands):
        if band.contains(value):
            return index
    raise ValueError(f"{value} is in no band")
