"""AWS Lambda runtime deprecation dates, from
https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (as published in November 2026).
After its date a runtime gets no security patches; soon after, functions using it can no longer be
updated. Update this table when AWS publishes new dates."""

from __future__ import annotations

from datetime import date

DEPRECATION = {
    "python3.14": date(2029, 6, 30),
    "python3.13": date(2029, 6, 30),
    "python3.12": date(2028, 10, 31),
    "python3.11": date(2026, 6, 30),
    "python3.10": date(2026, 6, 30),
    "python3.9": date(2025, 12, 15),
    "python3.8": date(2024, 10, 14),
    "python3.7": date(2023, 12, 4),
    "python3.6": date(2022, 7, 18),
    "python2.7": date(2021, 7, 15),
    "nodejs24.x": date(2028, 4, 30),
    "nodejs22.x": date(2027, 4, 30),
    "nodejs20.x": date(2026, 4, 30),
    "nodejs18.x": date(2025, 9, 1),
    "nodejs16.x": date(2024, 6, 12),
    "nodejs14.x": date(2023, 12, 4),
    "nodejs12.x": date(2023, 3, 31),
    "nodejs10.x": date(2021, 7, 30),
    "java25": date(2029, 6, 30),
    "java21": date(2029, 6, 30),
    "java17": date(2026, 6, 30),
    "java11": date(2026, 6, 30),
    "java8.al2": date(2026, 6, 30),
    "java8": date(2024, 1, 8),
    "dotnet10": date(2028, 11, 14),
    "dotnet8": date(2026, 11, 10),
    "dotnet7": date(2024, 5, 14),
    "dotnet6": date(2024, 11, 12),
    "dotnetcore3.1": date(2023, 4, 3),
    "ruby3.4": date(2028, 3, 31),
    "ruby3.3": date(2027, 3, 31),
    "ruby3.2": date(2026, 3, 31),
    "ruby2.7": date(2023, 11, 27),
    "provided.al2023": date(2029, 6, 30),
    "provided.al2": date(2026, 6, 30),
    "provided": date(2024, 1, 8),
    "go1.x": date(2024, 1, 8),
}
SOON_DAYS = 180


def runtime_status(runtime: str, on: date) -> tuple[str, date | None]:
    """("deprecated" | "deprecating" | "supported" | "unknown", deprecation date)."""
    when = DEPRECATION.get(runtime.lower())
    if when is None:
        return "unknown", None
    if when <= on:
        return "deprecated", when
    return ("deprecating" if (when - on).days <= SOON_DAYS else "supported"), when
