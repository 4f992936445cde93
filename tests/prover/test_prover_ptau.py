"""Powers-of-tau selection: the cached development ptau and the hash-checked ceremony file."""

import hashlib
import threading
from pathlib import Path

import pytest

import prover.ptau
from prover import PtauError, PtauHashMismatch, ceremony_ptau, dev_ptau, select_ptau
from prover.ptau import PTAU_BLAKE2B_ENV, PTAU_ENV, cache_dir, dev_ptau_path, ptau_power


@pytest.fixture()
def fake_ceremony(tmp_path: Path) -> tuple[Path, str]:
    """A file standing for a ceremony ptau, and its blake2b-512."""
    path = tmp_path / "ceremony.ptau"
    path.write_bytes(b"not really a ptau, but hashed all the same" * 1000)
    return path, hashlib.blake2b(path.read_bytes(), digest_size=64).hexdigest()


def test_ceremony_ptau_accepts_the_published_hash(fake_ceremony: tuple[Path, str]) -> None:
    path, digest = fake_ceremony
    assert ceremony_ptau(path, digest) == path
    assert ceremony_ptau(path, "0x" + digest.upper()) == path


def test_ceremony_ptau_refuses_a_wrong_hash(fake_ceremony: tuple[Path, str]) -> None:
    path, digest = fake_ceremony
    wrong = ("0" if digest[0] != "0" else "1") + digest[1:]
    with pytest.raises(PtauHashMismatch) as refused:
        ceremony_ptau(path, wrong)
    assert (refused.value.expected, refused.value.actual) == (wrong, digest)


@pytest.mark.parametrize("digest", ["", "abc", "g" * 128, "ab" * 65])
def test_ceremony_ptau_refuses_a_malformed_hash(fake_ceremony: tuple[Path, str], digest: str) -> None:
    with pytest.raises(PtauError, match="not a blake2b-512"):
        ceremony_ptau(fake_ceremony[0], digest)


def test_ceremony_ptau_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PtauError, match="does not exist"):
        ceremony_ptau(tmp_path / "absent.ptau", "ab" * 64)


def test_select_ptau_selects_the_development_set_up_without_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PTAU_ENV, raising=False)
    monkeypatch.delenv(PTAU_BLAKE2B_ENV, raising=False)
    source = select_ptau()
    assert source.identity == "development set-up"
    assert source.ceremony_file() is None


def test_select_ptau_uses_the_ceremony_file_with_both_variables(
    monkeypatch: pytest.MonkeyPatch, fake_ceremony: tuple[Path, str]
) -> None:
    path, digest = fake_ceremony
    monkeypatch.setenv(PTAU_ENV, str(path))
    monkeypatch.setenv(PTAU_BLAKE2B_ENV, digest.upper())
    source = select_ptau()
    assert source.identity == f"ceremony blake2b-512 {digest}"
    assert source.ceremony_file() == path


@pytest.mark.parametrize("variable", [PTAU_ENV, PTAU_BLAKE2B_ENV])
def test_select_ptau_refuses_one_variable_alone(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.delenv(PTAU_ENV, raising=False)
    monkeypatch.delenv(PTAU_BLAKE2B_ENV, raising=False)
    monkeypatch.setenv(variable, "x")
    with pytest.raises(PtauError, match="both"):
        select_ptau()


def test_cache_dir_follows_the_shell_convention(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MATCHPROOF_CACHE", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "matchproof"
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "matchproof"
    monkeypatch.setenv("MATCHPROOF_CACHE", str(tmp_path / "explicit"))
    assert dev_ptau_path(12) == tmp_path / "explicit" / "ptau" / "dev_pow12.ptau"


def test_dev_ptau_is_generated_once_for_concurrent_callers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MATCHPROOF_CACHE", str(tmp_path))
    generate = prover.ptau._generate_dev_ptau
    generations: list[int] = []

    def counted(power: int, target: Path, repo_root: Path) -> None:
        generations.append(power)
        generate(power, target, repo_root)

    monkeypatch.setattr(prover.ptau, "_generate_dev_ptau", counted)
    results: list[Path] = []
    callers = [threading.Thread(target=lambda: results.append(dev_ptau(5))) for _ in range(2)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()

    assert generations == [5]
    assert results == [tmp_path / "ptau" / "dev_pow5.ptau"] * 2
    assert ptau_power(results[0]) == 5
    # Only the ptau and its lock remain: the scratch folder is gone.
    assert sorted(path.name for path in (tmp_path / "ptau").iterdir()) == ["dev_pow5.ptau", "dev_pow5.ptau.lock"]


def test_dev_ptau_refuses_an_impossible_power() -> None:
    with pytest.raises(PtauError, match="outside"):
        dev_ptau(29)


def test_ptau_power_refuses_another_file(fake_ceremony: tuple[Path, str]) -> None:
    with pytest.raises(PtauError, match="not a ptau file"):
        ptau_power(fake_ceremony[0])
