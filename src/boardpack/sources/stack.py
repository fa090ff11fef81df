"""What a repository's files say about its stack and delivery: CI, tests, lock files, infrastructure
as code, containers, a staging environment, dependency manifests and runtime versions.

Pure functions of paths and text, fed by the git source as it reads each file at HEAD once.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

CI = (  # path pattern -> system
    (re.compile(r"^\.github/workflows/[^/]+\.ya?ml$"), "GitHub Actions"),
    (re.compile(r"^\.gitlab-ci\.ya?ml$"), "GitLab CI"),
    (re.compile(r"^\.circleci/config\.ya?ml$"), "CircleCI"),
    (re.compile(r"^Jenkinsfile$"), "Jenkins"),
    (re.compile(r"^azure-pipelines\.ya?ml$"), "Azure Pipelines"),
    (re.compile(r"^bitbucket-pipelines\.ya?ml$"), "Bitbucket Pipelines"),
    (re.compile(r"^\.travis\.ya?ml$"), "Travis CI"),
    (re.compile(r"^buildspec\.ya?ml$"), "AWS CodeBuild"),
    (re.compile(r"^\.buildkite/"), "Buildkite"),
    (re.compile(r"^\.drone\.ya?ml$"), "Drone"),
)
TEST_FILE = re.compile(
    r"(^|/)(tests?|__tests__|spec)/|(^|/)test_[^/]+\.py$|_test\.(py|go)$|\.(test|spec)\.[jt]sx?$"
    r"|Tests?\.(java|kt|cs)$|_spec\.rb$"
)
LOCK_FILES = {
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "Cargo.lock",
    "go.sum",
    "Gemfile.lock",
    "composer.lock",
    "packages.lock.json",
}
MANIFESTS = {
    "package.json",
    "pyproject.toml",
    "requirements.txt",
    "setup.py",
    "Pipfile",
    "go.mod",
    "Cargo.toml",
    "Gemfile",
    "composer.json",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "mix.exs",
}
IAC_BY_NAME = {
    "samconfig.toml": "SAM",
    "cdk.json": "CDK",
    "Pulumi.yaml": "Pulumi",
    "serverless.yml": "Serverless",
    "serverless.yaml": "Serverless",
    "serverless.ts": "Serverless",
    "serverless.json": "Serverless",
}
CONFIG_SUFFIXES = (".yml", ".yaml", ".json", ".tf", ".toml", ".ts", ".js", ".py")
STAGING = re.compile(r"\bstaging\b", re.IGNORECASE)
LAMBDA_RUNTIME = re.compile(
    r"""\bruntime["']?[ \t]*[:=][ \t]*["']?"""
    r"""((?:python|nodejs|java|dotnet|dotnetcore|ruby|go|provided)"""
    r"""[\w.]*)""",
    re.IGNORECASE,
)
CDK_RUNTIME = re.compile(r"\bRuntime\.(PYTHON|NODEJS|JAVA|RUBY|DOTNET|PROVIDED)_?([0-9A-Z_]*)")
DOCKER_FROM = re.compile(
    r"^FROM\s+(?:--platform=\S+\s+)?(?:\S+/)?(python|node|golang|ruby|openjdk|eclipse-temurin|"
    r"amazoncorretto|php|public\.ecr\.aws/lambda/\w+):([\w.-]+)",
    re.IGNORECASE | re.MULTILINE,
)
GO_VERSION = re.compile(r"^go (\d+\.\d+(?:\.\d+)?)", re.MULTILINE)
TOOL_NAMES = {"nodejs": "node", "golang": "go"}


def cdk_runtime(family: str, version: str) -> str:
    """`Runtime.NODEJS_18_X` → `nodejs18.x`, `Runtime.PYTHON_3_12` → `python3.12`."""
    return family.lower() + version.lower().replace("_x", ".x").replace("_", ".").strip(".")


def is_ci(path: str) -> str | None:
    return next((name for pattern, name in CI if pattern.search(path)), None)


def wants_text(path: str) -> bool:
    """Files whose content says something about the stack (the secret scan reads every file anyway).
    """
    name = PurePosixPath(path).name
    return (
        name in MANIFESTS
        or name in IAC_BY_NAME
        or name.startswith(("Dockerfile", ".python-version"))
        or name in (".nvmrc", ".node-version", ".tool-versions", "runtime.txt")
        or bool(is_ci(path))
        or path.endswith(CONFIG_SUFFIXES)
    )


@dataclass
class StackFacts:
    ci: set[str] = field(default_factory=set)
    test_files: int = 0
    lock_files: set[str] = field(default_factory=set)
    iac: set[str] = field(default_factory=set)
    docker: bool = False
    staging: list[str] = field(default_factory=list)
    manifests: set[str] = field(default_factory=set)
    runtimes: set[str] = field(default_factory=set)
    lambda_runtimes: list[tuple[str, str]] = field(default_factory=list)
    # the secret scan's detection, run on a value as written, before it is normalized (lower-cased
    # "akia…" is no longer an AWS key to the detectors, but it is still the secret)
    redact: Callable[[str], str] = field(default=lambda text: text, repr=False)

    def runtime(self, written: str) -> str:
        """A runtime as written in a config, normalized (`Python3.12` → `python3.12`); one that
        holds a secret is its kind and fingerprint."""
        shown = self.redact(written)
        return shown if shown != written else written.lower()

    def see_path(self, path: str) -> None:
        name = PurePosixPath(path).name
        if system := is_ci(path):
            self.ci.add(system)
        if TEST_FILE.search(path):
            self.test_files += 1
        if name in LOCK_FILES:
            self.lock_files.add(name)
        if name in MANIFESTS:
            self.manifests.add(name)
        if name in IAC_BY_NAME:
            self.iac.add(IAC_BY_NAME[name])
        if path.endswith(".tf"):
            self.iac.add("Terraform")
        if name.startswith("Dockerfile") or name.endswith(".Dockerfile") or name == "Containerfile":
            self.docker = True
        if STAGING.search(path.replace(".", " ").replace("_", " ").replace("-", " ")):
            self.staging.append(path)

    def see_text(self, path: str, text: str) -> None:
        name = PurePosixPath(path).name
        template = "AWS::Serverless" in text or "AWSTemplateFormatVersion" in text
        if template:
            self.iac.add("SAM" if "AWS::Serverless" in text else "CloudFormation")
        deploys = (
            template or is_ci(path) or name in IAC_BY_NAME or path.endswith((".tf", ".tfvars"))
        )
        if deploys and path not in self.staging and STAGING.search(text):
            self.staging.append(path)
        self.runtimes.update(f"{tool} ({path})" for tool in declared_versions(name, text))
        if path.endswith(CONFIG_SUFFIXES):
            # one search over the whole text; a line number is counted only for a match
            found = [(m.start(), self.runtime(m.group(1))) for m in LAMBDA_RUNTIME.finditer(text)]
            found += [(m.start(), cdk_runtime(*m.groups())) for m in CDK_RUNTIME.finditer(text)]
            for at, runtime in sorted(found):
                self.lambda_runtimes.append((runtime, f"{path}:{text.count(chr(10), 0, at) + 1}"))
                self.runtimes.add(f"lambda {runtime} ({path})")


def declared_versions(name: str, text: str) -> list[str]:
    """`python 3.12`, `node >=20` and the like, from the files that pin a language version."""
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    if name == ".python-version" and first:
        return [f"python {first}"]
    if name in (".nvmrc", ".node-version") and first:
        return [f"node {first.lstrip('v')}"]
    if name == "runtime.txt" and first.startswith("python-"):
        return [f"python {first.removeprefix('python-')}"]
    if name == ".tool-versions":
        pairs = (
            line.split()[:2]
            for line in text.splitlines()
            if len(line.split()) >= 2 and not line.startswith("#")
        )
        return [f"{TOOL_NAMES.get(tool, tool)} {version}" for tool, version in pairs]
    if name == "go.mod":
        return [f"go {m.group(1)}" for m in GO_VERSION.finditer(text)][:1]
    if name.startswith("Dockerfile") or name == "Containerfile":
        images = (
            (tool.split("/")[-1], version.split("-")[0])
            for tool, version in DOCKER_FROM.findall(text)
        )
        return [f"{TOOL_NAMES.get(tool, tool)} {version} (container)" for tool, version in images]
    try:
        if name == "package.json":
            node = json.loads(text).get("engines", {}).get("node")
            return [f"node {node}"] if isinstance(node, str) else []
        if name == "pyproject.toml":
            python = tomllib.loads(text).get("project", {}).get("requires-python")
            return [f"python {python}"] if isinstance(python, str) else []
    # a broken manifest says nothing about versions
    except (
        ValueError,
        AttributeError,
        RecursionError,
    ):
        return []
    return []
