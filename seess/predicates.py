"""The 56 PSG relation predicates, in PSG's order (spec section 8).

An edge's predicate index (``SceneGraph.edges[:, 2]``) indexes this list, and
the relation-similarity matrix ``R`` (56 x 56) is ordered the same way.
"""

from __future__ import annotations

__all__ = ["N_PREDICATES", "PSG_PREDICATES", "predicate_name"]

PSG_PREDICATES: tuple[str, ...] = (
    "over",
    "in front of",
    "beside",
    "on",
    "in",
    "attached to",
    "hanging from",
    "on back of",
    "falling off",
    "going down",
    "painted on",
    "walking on",
    "running on",
    "crossing",
    "standing on",
    "lying on",
    "sitting on",
    "flying over",
    "jumping over",
    "jumping from",
    "wearing",
    "holding",
    "carrying",
    "looking at",
    "guiding",
    "kissing",
    "eating",
    "drinking",
    "feeding",
    "biting",
    "catching",
    "picking",
    "playing with",
    "chasing",
    "climbing",
    "cleaning",
    "playing",
    "touching",
    "pushing",
    "pulling",
    "opening",
    "cooking",
    "talking to",
    "throwing",
    "slicing",
    "driving",
    "riding",
    "parked on",
    "driving on",
    "about to hit",
    "kicking",
    "swinging",
    "entering",
    "exiting",
    "enclosing",
    "leaning on",
)

N_PREDICATES = len(PSG_PREDICATES)
assert N_PREDICATES == 56


def predicate_name(index: int) -> str:
    """Name of predicate ``index`` (0..55); ValueError when out of range."""
    i = int(index)
    if not 0 <= i < N_PREDICATES:
        raise ValueError(f"predicate index {index} out of range 0..{N_PREDICATES - 1}")
    return PSG_PREDICATES[i]
