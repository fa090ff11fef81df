"""The secret scan passes over lines and files no plugin can report on: it must find exactly what
detect-secrets' own loop finds (every line to every plugin, and the eager INI parse of each file of
no known type where the first look found nothing), on files made to catch it out."""

from __future__ import annotations

import io
import random
import string

import pytest

from boardpack.sources import secret_lines
from boardpack.sources.regex_needs import Haystack, between, needs
from boardpack.sources.secrets import SecretScanner

B64 = string.ascii_letters + string.digits + "+/"
HEX = "0123456789abcdef"
EXTENSIONS = (".py", ".js", ".md", ".cfg", ".ini", ".yaml", ".json", ".txt", ".sh", ".tf", "")


def tokens(rng: random.Random) -> list[str]:
    """One of each kind detect-secrets' plugins report, made here (none is a real credential)."""

    def pick(chars: str, n: int) -> str:
        return "".join(rng.choice(chars) for _ in range(n))

    upper = string.ascii_uppercase + string.digits
    return [
        "AKIA" + pick(upper, 16),
        "ghp_" + pick(string.ascii_letters + string.digits, 36),
        "xoxb-" + pick(string.digits, 10) + "-" + pick(string.digits, 12) + "-" + pick(HEX, 24),
        "sk_live_" + pick(string.ascii_letters + string.digits, 24),
        "AccountKey=" + pick(B64, 86) + "==",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + pick(B64[:-2], 22),
        "-----BEGIN RSA PRIVATE KEY-----",
        "https://admin:" + pick(string.ascii_lowercase, 10) + "@db.example.com",
        f"{rng.randint(11, 99)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
        pick(string.digits, 9) + ":" + pick(string.ascii_letters + string.digits, 35),
        "AC" + pick(HEX, 32),
        pick(HEX, 32) + "-us12",
        "SG." + pick(string.ascii_letters, 22) + "." + pick(string.ascii_letters, 43),
        pick(B64, 40),
        pick(HEX, 40),
        pick(B64, 24),  # just past the base64 entropy limit's length
        pick(HEX, 9),
    ]


def line(rng: random.Random, pieces: list[str]) -> str:
    word = rng.choice(["account", "booking", "password", "api_key", "db_pass", "secret", "aws_key"])
    value = rng.choice(pieces)
    half = len(value) // 2
    return rng.choice(
        [
            f"{word} = {value}",
            f"{word}: {value}",
            f'{word}="{value}"',
            f"{word} = '{value}'",
            f"  {word}_{rng.randint(0, 9)} = {value}   ",  # indented: an INI continuation
            f'{word} = "{value[:half]}"{value[half:]}"',  # a quote the INI parse escapes
            f'{word} = {value[:half]}"{value[half:]}',
            f"{word} = %({rng.choice(['other', 'account'])})s{value[half:]}",  # interpolation
            f"other = {value[:half]}",
            f'{word}: "{value[:half]}\\x{ord(value[half]):02x}{value[half + 1:]}"',  # YAML escape
            f"# {word} {value}",
            f"[{word}]",
            f"url = {value}",
            f"compute('{word}', {rng.randint(0, 999)})",
            f"{value}",
            f"{value[:half]} {value[half:]}",
            "",
        ]
    )


def reference_scan(scanner: SecretScanner, path: str, text: str, monkeypatch) -> list:
    """The same scan through detect-secrets' own loop, with the eager parse always tried."""
    from detect_secrets.core.scan import _process_line_based_plugins

    with monkeypatch.context() as patch:
        patch.setattr(secret_lines, "line_based_plugins", _process_line_based_plugins)
        patch.setattr(secret_lines, "may_hold_after_parsing", lambda text, filename: True)
        return scanner.scan(path, text)


@pytest.mark.parametrize("seed", range(4))
def test_the_scan_finds_what_detect_secrets_own_loop_finds(seed, monkeypatch):
    rng = random.Random(seed)
    scanner = SecretScanner(b"k" * 32)
    found = 0
    with scanner.session():
        for n in range(60):
            pieces = tokens(rng) + ["booking", "x" * 30, "%(account)s", '\\"', "a b c"]
            text = "\n".join(line(rng, pieces) for _ in range(rng.randint(1, 12))) + "\n"
            if rng.random() < 0.3:
                text = "[main]\n" + text
            path = f"pkg/file{n}{rng.choice(EXTENSIONS)}"
            ours = scanner.scan(path, text)
            expected = reference_scan(scanner, path, text, monkeypatch)
            assert ours == expected, (path, text)
            found += len(ours)
    assert found > 50  # the files hold secrets of many kinds, found both ways


def test_what_a_pattern_needs_is_in_every_text_it_matches():
    """`needs` is sound: on lines a plugin pattern matches (and on lines it does not) a text that
    holds a match always may match."""
    from detect_secrets.core.scan import get_plugins

    rng = random.Random(7)
    scanner = SecretScanner(b"k" * 32)
    with scanner.session():
        patterns = secret_lines.plugin_patterns("settings.py") + secret_lines.plugin_patterns(
            "notes.md"
        )
        assert len(patterns) > 30 and get_plugins()
        matched = 0
        for _ in range(400):
            text = line(rng, tokens(rng) + ["booking"])
            for pattern in patterns:
                if pattern.search(text):
                    matched += 1
                    assert Haystack(text).may_match(needs(pattern)), (pattern.pattern, text)
        assert matched > 400


def test_what_the_ini_parse_makes_needs_nothing_the_file_lacks():
    """`between` is sound: whatever a pattern finds in a line detect-secrets' eager INI parse makes
    of a file, what it needs (cut at the parse's own characters) is in the file."""
    from detect_secrets.transformers import get_transformed_file

    rng = random.Random(11)
    scanner = SecretScanner(b"k" * 32)
    checked = 0
    with scanner.session():
        for n in range(300):
            pieces = tokens(rng) + ["booking", '\\"', "a b c"]
            text = "\n".join(line(rng, pieces) for _ in range(rng.randint(1, 8))) + "\n"
            handle = io.StringIO(text)
            handle.name = f"notes{n}.md"
            made = get_transformed_file(handle, use_eager_transformers=True) or []
            for pattern in secret_lines.plugin_patterns(handle.name):
                if any(pattern.search(made_line.rstrip()) for made_line in made):
                    checked += 1
                    ways = between(
                        needs(pattern), secret_lines.MADE, secret_lines.EDGES, secret_lines.ENDS
                    )
                    assert Haystack(text).may_match(ways), (pattern.pattern, text, made)
    assert checked > 100


def test_an_unknown_plugin_sends_every_line_through(monkeypatch):
    """A plugin whose patterns are not known here (another detect-secrets' own) is never guessed
    at: every line goes to the plugins."""
    from detect_secrets.core import scan
    from detect_secrets.plugins.base import BasePlugin

    class Mystery(BasePlugin):
        secret_type = "Mystery"

        def analyze_string(self, string):
            if "plain" in string:
                yield "plain words"

    scanner = SecretScanner(b"k" * 32)
    with scanner.session():
        real = scan.get_plugins()
        monkeypatch.setattr(scan, "get_plugins", lambda: [*real, Mystery()])
        assert secret_lines.plugin_patterns("a.py") is None
        hits = scanner.scan("a.py", "x = 1\nplain words here\n")
    assert [(h.kind, h.line) for h in hits] == [("Mystery", 2)]


@pytest.mark.parametrize(
    "text, kind",
    [
        # unquoted, a value is no string to the entropy plugin until the parse quotes it
        ("# notes\nnote = " + string.ascii_letters[::2] + string.digits + "\n", "Base64"),
        # a quote in a value is escaped with a backslash: 22 characters and it make 23, enough
        ("# notes\nnote = " + string.ascii_letters[:22] + '"x\n', "Base64"),
    ],
)
def test_what_only_the_ini_parse_makes_is_found(text, kind, monkeypatch):
    scanner = SecretScanner(b"k" * 32)
    with scanner.session():
        ours = scanner.scan("notes.md", text)
        assert ours == reference_scan(scanner, "notes.md", text, monkeypatch)
    assert kind + " High Entropy String" in {hit.kind for hit in ours}


@pytest.fixture
def fresh_parse_check():
    """The parse check is made once a process: forgotten before and after a test that changes it."""
    from boardpack.sources import regex_needs

    regex_needs.parse_understood.cache_clear()
    regex_needs.parsed_needs.cache_clear()
    yield regex_needs
    regex_needs.parse_understood.cache_clear()
    regex_needs.parsed_needs.cache_clear()


def test_this_python_parses_patterns_as_the_prefilter_reads_them(fresh_parse_check):
    assert fresh_parse_check.parse_understood()
    assert needs(__import__("re").compile("AKIA[0-9A-Z]{16}")) is not None


@pytest.mark.parametrize("parse", ["raises", "reads otherwise"])
def test_a_python_whose_parse_is_not_understood_sends_every_line_through(
    parse, fresh_parse_check, monkeypatch
):
    """`re._parser` is CPython's own: one that raises, or parses differently, is caught by the
    check of known patterns, every pattern then needs nothing, and every secret is still found.

    The changed parser is the one the prefilter imports (`re._parser`); `re.compile` keeps its own
    (`re._compiler`'s), as it would on such a Python — changing that too would break every pattern
    not yet in `re`'s cache, so the test would pass or fail by what ran before it."""
    import re
    import types
    from re import _parser

    real = _parser.parse

    def changed(pattern, flags=0):
        if parse == "raises":
            raise AttributeError("no such parser here")
        return real("zz" + pattern, flags)  # a literal every real match lacks

    changed_module = types.ModuleType(_parser.__name__)
    changed_module.__dict__.update(vars(_parser), parse=changed)
    monkeypatch.setattr(re, "_parser", changed_module)
    assert not fresh_parse_check.parse_understood()
    assert needs(re.compile("AKIA[0-9A-Z]{16}")) is None
    rng = random.Random(3)
    scanner = SecretScanner(b"k" * 32)
    with scanner.session():
        text = "\n".join(f"key_{n} = {token}" for n, token in enumerate(tokens(rng))) + "\n"
        ours = scanner.scan("settings.py", text)
        assert ours == reference_scan(scanner, "settings.py", text, monkeypatch)
    assert {"AWS Access Key", "GitHub Token", "Private Key"} <= {hit.kind for hit in ours}


def test_the_detect_secrets_the_scan_is_written_against_is_the_one_pinned_and_installed():
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    dependencies = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    assert f"detect-secrets=={secret_lines.DETECT_SECRETS}" in dependencies
    assert secret_lines.installed_version() == secret_lines.DETECT_SECRETS
    assert secret_lines.unsupported() is None
