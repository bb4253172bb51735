"""`.github/scout.yml`: the bot's per-repository settings (docs/ci-bot.md documents the format).

The file is read as data (`yaml.safe_load`), never executed; unknown keys and wrong types are
errors, so a typo does not silently turn a feature off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from scout.errors import ScoutError
from scout.repo import Repo
from scout.triage.codeowners import compile_pattern
from scout.triage.labels import LabelRule

PATH = ".github/scout.yml"
MAX_BYTES = 256 * 1024
LEVELS = ("low", "medium", "high")


class BotConfigError(ScoutError):
    """`.github/scout.yml` is not valid."""


@dataclass
class BotConfig:
    labels: list[LabelRule] = field(default_factory=list)  # path pattern -> labels
    add_labels: bool = True  # add suggested labels to issues; never removes one
    max_labels: int = 3
    max_spans: int = 5  # code locations shown in a comment
    mention_owners: bool = False  # @-mention (notify) owners instead of naming them in code spans
    min_confidence: str = "low"  # issues answered below this confidence get no comment


def load_bot_config(repo: Repo) -> BotConfig:
    full = repo.root / PATH
    if not full.is_file():
        return BotConfig()
    repo.resolve(PATH)
    if full.stat().st_size > MAX_BYTES:
        raise BotConfigError(f"{PATH} is larger than {MAX_BYTES // 1024} KiB")
    try:
        data = yaml.safe_load(full.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BotConfigError(f"cannot read {PATH}: {first}") from None
    return parse_bot_config(data or {})


def parse_bot_config(data: Any) -> BotConfig:
    if not isinstance(data, dict):
        raise BotConfigError(f"{PATH} must be a mapping of settings")
    config = BotConfig()
    for key, value in data.items():
        if key == "labels":
            config.labels = _label_rules(value)
        elif key in ("add_labels", "mention_owners"):
            setattr(config, key, _typed(key, value, bool))
        elif key in ("max_labels", "max_spans"):
            setattr(config, key, _positive(key, value))
        elif key == "min_confidence":
            if value not in LEVELS:
                raise BotConfigError(f"{PATH}: min_confidence must be one of {', '.join(LEVELS)}")
            config.min_confidence = value
        else:
            raise BotConfigError(f"{PATH}: unknown key {key!r}")
    return config


def _label_rules(value: Any) -> list[LabelRule]:
    if not isinstance(value, dict):
        raise BotConfigError(f"{PATH}: labels must map path patterns to a label or a list of labels")
    rules = []
    for pattern, labels in value.items():
        names = [labels] if isinstance(labels, str) else labels
        if not isinstance(pattern, str) or not isinstance(names, list) or not names:
            raise BotConfigError(f"{PATH}: labels.{pattern} must be a label or a list of labels")
        if not all(isinstance(n, str) and n.strip() for n in names):
            raise BotConfigError(f"{PATH}: labels.{pattern} has a label that is not a non-empty string")
        matcher = compile_pattern(pattern)
        if matcher is None:
            raise BotConfigError(f"{PATH}: unsupported path pattern {pattern!r} (no ! or [ ])")
        rules.append(LabelRule(pattern, matcher, tuple(n.strip() for n in names)))
    return rules


def _typed(key: str, value: Any, typ: type) -> Any:
    if not isinstance(value, typ):
        raise BotConfigError(f"{PATH}: {key} must be a {typ.__name__}, got {value!r}")
    return value


def _positive(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BotConfigError(f"{PATH}: {key} must be a positive integer, got {value!r}")
    return value
