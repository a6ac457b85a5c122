"""Config validation: every bad input names the file, the field and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.config import Config, load_config
from auditor.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_repository_config_is_valid() -> None:
    config = load_config(REPO / "config.yaml")
    assert config.sites and config.sites[0].start_urls
    assert config.storage.url.startswith("sqlite:///")


def test_defaults_when_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None)
    assert config == Config()
    assert config.crawl.allow_private is False


def test_unknown_key_names_file_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "crawl:\n  concurency: 3\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message and "crawl.concurency" in message and "unknown key" in message


def test_wrong_type_names_value(tmp_path: Path) -> None:
    path = write(tmp_path, "crawl:\n  timeout:\n    read: soon\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "crawl.timeout.read" in str(err.value) and "'soon'" in str(err.value)


def test_bad_yaml_gives_line(tmp_path: Path) -> None:
    path = write(tmp_path, "crawl: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "invalid YAML" in str(err.value) and "line" in str(err.value)


def test_top_level_must_be_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- a\n- b\n")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_config(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_duplicate_site_names(tmp_path: Path) -> None:
    path = write(tmp_path, "sites:\n  - {name: a, start_urls: [http://x/]}\n  - {name: a, start_urls: [http://y/]}\n")
    with pytest.raises(ConfigError, match="repeated: a"):
        load_config(path)


def test_empty_file_is_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).crawl == Config().crawl
