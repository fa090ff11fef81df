"""detect-secrets' line scan, sent only the lines a plugin could report on.

For each line, detect-secrets calls each of its plugins, and each filter on what they find, through
its argument injection: the calls, not the plugins' patterns, are most of the time a scan takes.
Yet every built-in plugin reports nothing on a line where none of its own patterns is found: a
regex detector's `denylist`, the entropy plugins' quoted string (long enough to pass the limit),
the keyword plugin's patterns for the file's type. So a line where no plugin's pattern is found is
passed over, and every other line goes through detect-secrets' own loop unchanged (the same
filters, with the same context around the line). A pattern is tried on a file's lines only when
the file has what every match of it needs (regex_needs), and detect-secrets' second, INI-parsed
look at a file is taken only when a pattern could be found in what it makes. A plugin whose
patterns are not known here (another version's, or one a setting adds) sends every line through.

detect-secrets has no public call that scans text in memory with a file's name and context (its
`scan_file` reads the disk, its `scan_line` knows no file), so this calls its line loop's own parts
(`_scan_line`, `_is_filtered_out`): the version they are written against is pinned exactly in
pyproject.toml, and another one installed is refused by name (`unsupported`), not half-used."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from functools import cache

from boardpack.sources.regex_needs import Haystack, between, needs

# the detect-secrets these calls are written and tested against (pyproject.toml pins it)
DETECT_SECRETS = "1.5.0"


def installed_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("detect-secrets")
    except PackageNotFoundError:
        return None


def unsupported() -> str | None:
    """Why the secret scan cannot run on this machine's detect-secrets; None when it can."""
    found = installed_version()
    if found == DETECT_SECRETS:
        return None
    have = f"detect-secrets {found} is installed" if found else "detect-secrets is not installed"
    return (
        f"the secret scan cannot run: {have}, and boardpack's scan is written against"
        f" {DETECT_SECRETS} exactly; install that one:"
        f" pip install 'detect-secrets=={DETECT_SECRETS}'"
    )


def plugin_patterns(filename: str) -> list[re.Pattern] | None:
    """What the session's plugins must find in a line of `filename` before they can report it;
    None when a plugin is not one whose patterns are known."""
    from detect_secrets.core.scan import get_plugins
    from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
    from detect_secrets.plugins.jwt import JwtTokenDetector
    from detect_secrets.plugins.keyword import (
        QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
        REGEX_BY_FILETYPE,
        KeywordDetector,
    )
    from detect_secrets.util.filetype import determine_file_type

    patterns: list[re.Pattern] = []
    for plugin in get_plugins():
        kind = type(plugin)
        if kind is KeywordDetector:
            by_type = REGEX_BY_FILETYPE.get(determine_file_type(filename))
            patterns += by_type or QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
        elif isinstance(plugin, HighEntropyStringsPlugin) and (
            kind.analyze_line is HighEntropyStringsPlugin.analyze_line
            and kind.analyze_string is HighEntropyStringsPlugin.analyze_string
        ):
            patterns.append(long_enough(plugin))
        elif isinstance(plugin, RegexBasedDetector) and (
            kind.analyze_line is BasePlugin.analyze_line
            and kind.analyze_string
            in (RegexBasedDetector.analyze_string, JwtTokenDetector.analyze_string)
        ):
            patterns += plugin.denylist  # what it yields are these patterns' matches
        else:
            return None
    return patterns


def long_enough(plugin) -> re.Pattern:
    """The entropy plugin's quoted string, as long as one must be to pass its limit: a string of n
    characters has an entropy of at most log2(n) bits a character, so it needs n > 2 ** limit."""
    return quoted_run(plugin.charset, plugin.entropy_limit)


@cache  # one pattern object for every file: what it needs is read once (regex_needs caches by it)
def quoted_run(charset: str, limit: float) -> re.Pattern:
    shortest = math.floor(2**limit) + 1
    return re.compile(f"(['\"])([{re.escape(charset)}]{{{shortest},}})\\1")


# what detect-secrets' INI parse puts around a file's own key and value: `key = "value"`, a `"` in
# the value escaped as `\"` (a line has no newline). A space and a quote are next to the key or the
# value; a backslash ends a piece of the value, before a quote.
MADE, EDGES, ENDS = ' ="\\\n', ' "\n', "\\"


def may_hold_after_parsing(text: str, filename: str) -> bool:
    """Whether detect-secrets' eager parse of `text` (its second look at a file of no known type in
    which the first found nothing: as INI, without a section header) could make a line a plugin
    reports. Each line it makes is a key and a value as the file writes them (it finds each value's
    line by the value as written) with MADE around them, so what a pattern needs there, cut at
    MADE, is in the file too — unless another eager parser is in use. False only when no plugin's
    pattern can be found that way: then the parse would find nothing, and is not done."""
    from detect_secrets.transformers import get_transformers
    from detect_secrets.transformers.config import EagerConfigFileTransformer

    eager = [type(t) for t in get_transformers() if t.is_eager]
    patterns = plugin_patterns(filename)
    if eager != [EagerConfigFileTransformer] or patterns is None:
        return True
    haystack = Haystack(text)
    return any(haystack.may_match(between(needs(p), MADE, EDGES, ENDS)) for p in patterns)


def candidates(lines: list[str], patterns: list[re.Pattern]) -> set[int]:
    """The indexes of the lines a pattern is found in, each pattern tried only on a file that has
    what it needs (regex_needs): most are passed over with a substring search of the whole file."""
    haystack = Haystack("\n".join(lines))
    found: set[int] = set()
    for pattern in patterns:
        if haystack.may_match(needs(pattern)):
            found.update(i for i, line in enumerate(lines) if pattern.search(line))
    return found


def line_based_plugins(lines: list[tuple[int, str]], filename: str) -> Iterator:
    """detect-secrets' `_process_line_based_plugins`, on the lines one of its plugins' patterns
    is found in."""
    from detect_secrets.core.scan import _is_filtered_out, _scan_line, get_plugins
    from detect_secrets.util.code_snippet import get_code_snippet

    patterns = plugin_patterns(filename)
    content = [line for _, line in lines]  # the context of a line is read from every line
    stripped = [line.rstrip() for line in content]  # what the plugins are given
    chosen = range(len(lines)) if patterns is None else sorted(candidates(stripped, patterns))
    for index in chosen:
        number, line = lines[index][0], stripped[index]
        context = get_code_snippet(lines=content, line_number=number)
        if _is_filtered_out(
            required_filter_parameters=["line"], filename=filename, line=line, context=context
        ):
            continue
        for plugin in get_plugins():
            for secret in _scan_line(
                plugin=plugin, filename=filename, line=line, line_number=number, context=context
            ):
                if not _is_filtered_out(
                    required_filter_parameters=["context"],
                    filename=secret.filename,
                    secret=secret.secret_value,
                    plugin=plugin,
                    line=line,
                    context=context,
                ):
                    yield secret
