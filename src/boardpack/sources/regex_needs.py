"""What every match of a regular expression needs in the text: to pass over a text the expression
cannot match in without running it (a literal search is many times faster than most patterns).

Read from Python's own parse of the pattern (`re._parser`), and only what that parse makes certain:
a run of literal characters; a group, or a repeat of at least once, needs what its body needs; a
branch needs what one of its alternatives needs; a sequence needs what each of its parts needs; a
repeat of one character class at least MIN_RUN times needs such a run. Everything else (classes
repeated fewer times, look-arounds, back-references, optional parts) needs nothing. So the needs
are sound: a text without them has no match. Strings are compared casefolded, so the needs hold
with or without case; anything not understood needs nothing.

`re._parser` is CPython's, not a public interface: before it is trusted, the parse of a few
patterns whose needs are known by hand is checked once (`parse_understood`). A Python whose parse
reads otherwise, or has none, gives every pattern no needs: every line is scanned, only slower.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

MIN_RUN = 8  # a class repeated at least this often is looked for as a run
MAX_WAYS = 256  # past this many ways to meet a sequence's needs, it keeps its longest part's


@dataclass(frozen=True)
class Run:
    """At least n characters in a row of one class: `pattern` finds such a run, `shorter` one of
    n - 1, `one` tests a character."""

    pattern: re.Pattern
    shorter: re.Pattern
    one: re.Pattern


Part = str | Run
Ways = frozenset[frozenset[Part]]  # one of the ways, with every part of it


# patterns, and what every match of each needs, worked out by hand: `parse_understood` checks that
# this Python's parse gives them
KNOWN = (
    ("abc", [{"abc"}]),
    ("ab(?:cd|ef)g", [{"ab", "cd", "g"}, {"ab", "ef", "g"}]),
    ("x+y{2}z*", [{"x", "y"}]),
    ("(?i)Key(?=s)", [{"key"}]),
    ("a?(b)c{0,3}", [{"b"}]),
    (r"(\w)\1d", [{"d"}]),
)


@cache
def parse_understood() -> bool:
    """Whether this Python's pattern parse reads as the one this module is written against."""
    if any(parsed_needs(re.compile(p)) != frozenset(map(frozenset, w)) for p, w in KNOWN):
        return False
    # a class repeated at least MIN_RUN times: "k" and a run of that many digits, no fewer
    ways = parsed_needs(re.compile(f"k[0-9]{{{MIN_RUN},}}")) or frozenset()
    runs = [p for way in ways for p in way if isinstance(p, Run)]
    return (
        len(ways) == 1
        and len(runs) == 1
        and {p for way in ways for p in way if isinstance(p, str)} == {"k"}
        and bool(runs[0].pattern.search("x" + "7" * MIN_RUN))
        and not runs[0].pattern.search("x" + "7" * (MIN_RUN - 1))
        and bool(runs[0].shorter.search("7" * (MIN_RUN - 1)))
    )


def needs(pattern: re.Pattern) -> Ways | None:
    """The ways a text can meet what every match of `pattern` needs; None when nothing is known."""
    return parsed_needs(pattern) if parse_understood() else None


@cache
def parsed_needs(pattern: re.Pattern) -> Ways | None:
    """`needs`, from this Python's parse of the pattern, trusted or not."""
    try:
        from re import _constants as op
        from re import _parser

        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:
        return None
    repeats = {op.MAX_REPEAT, op.MIN_REPEAT, getattr(op, "POSSESSIVE_REPEAT", op.MAX_REPEAT)}
    single = {op.IN, op.CATEGORY, op.ANY, op.NOT_LITERAL}

    def both(a: Ways | None, b: Ways | None) -> Ways | None:
        if a is None or b is None:
            return a if b is None else b
        if len(a) * len(b) > MAX_WAYS:
            return a if shortest(a) >= shortest(b) else b
        return frozenset(x | y for x in a for y in b)

    def sequence(items) -> Ways | None:
        found, run = None, ""
        for code, value in [*items, (None, None)]:  # the last closes a literal run
            if code is op.LITERAL:
                run += chr(value).casefold()
                continue
            if run:
                found, run = both(found, frozenset([frozenset([run])])), ""
            if code is op.BRANCH:
                ways = [sequence(branch) for branch in value[1]]
                part = None if None in ways else frozenset().union(*ways)
                found = both(found, part if part is None or len(part) <= MAX_WAYS else None)
            elif code is op.SUBPATTERN:
                found = both(found, sequence(value[-1]))
            elif code in repeats and value[0] >= 1:
                found = both(found, sequence(value[2]))
                body = value[2]
                if value[0] >= MIN_RUN and len(body) == 1 and body[0][0] in single:
                    found = both(found, class_run(body, value[0], pattern.flags))
        return found

    return sequence(tree)


def class_run(body, least: int, flags: int) -> Ways | None:
    try:
        from re import _compiler, _parser
        from re import _constants as op

        def compiled(times: int) -> re.Pattern:
            state = _parser.State()
            state.flags = flags
            return _compiler.compile(
                _parser.SubPattern(state, [(op.MAX_REPEAT, (times, times, body))]), flags
            )

        run = Run(compiled(least), compiled(least - 1), compiled(1))
    except Exception:
        return None
    return frozenset([frozenset([run])])


def shortest(ways: Ways) -> int:
    """How much the least demanding way asks for: its longest string (a run counts as its class)."""
    return min(max((len(p) if isinstance(p, str) else 1 for p in way), default=0) for way in ways)


@cache
def between(ways: Ways | None, made: str, edges: str, ends: str) -> Ways | None:
    """The needs of a text made by putting the characters `made` between pieces of this one (a
    parser's quotes and `=`), as they hold for this one: each string cut at them. A run of a class
    that takes one of `edges` is left out (a run could go from a piece into `made`); one that takes
    one of `ends` (which can end a piece's run, and is followed by none the class takes) needs a
    run one shorter; through the others of `made` alone, a run would be `made`'s own."""
    if ways is None:
        return None
    cut = re.compile("[" + re.escape(made) + "]")

    def kept(part: Part) -> list[Part]:
        if isinstance(part, str):
            return [piece for piece in cut.split(part) if piece]
        if any(part.one.match(c) for c in edges):
            return []
        if any(part.one.match(c) for c in ends):
            return [Run(part.shorter, part.shorter, part.one)]
        return [part]

    return frozenset(frozenset(piece for part in way for piece in kept(part)) for way in ways)


class Haystack:
    """A text to test needs against: casefolded once, each part looked for once."""

    def __init__(self, text: str):
        self.text, self.folded, self.seen = text, text.casefold(), {}

    def has(self, part: Part) -> bool:
        if part not in self.seen:
            if isinstance(part, str):
                self.seen[part] = part in self.folded
            else:
                self.seen[part] = part.pattern.search(self.text) is not None
        return self.seen[part]

    def may_match(self, ways: Ways | None) -> bool:
        return ways is None or any(all(map(self.has, way)) for way in in_order(ways))


@cache
def in_order(ways: Ways) -> tuple[tuple[Part, ...], ...]:
    """Each way's strings before its runs (a string is found far sooner), longest first."""
    return tuple(
        tuple(sorted(way, key=lambda p: (isinstance(p, Run), -len(p) if isinstance(p, str) else 0)))
        for way in ways
    )
