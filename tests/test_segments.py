"""Stored segmentation (``index/segments.py``, schema m005): what ``add`` writes is what
``prepare`` makes, a check reads it instead of segmenting its candidates again, and a
damaged or missing one falls back to segmenting the text."""

from __future__ import annotations

import sqlite3
import struct
import zlib
from contextlib import closing
from pathlib import Path

import pytest

from provenance import indexing, pipeline, verify
from provenance.index import segments
from provenance.index.store import Store
from provenance.text import prepare as text_prepare
from tests.conftest import SEEDS, count_prepare_calls, seed_path, seed_text

TEXTS = {
    "english": "The harbour opened in 1998.\n\nIts director said: “We waited ten years.” "
    "The city paid 1,000,000 euros for the new quay and the lighthouse.",
    "mixed": "Der Hafen wurde 1998 eröffnet, sagte die Direktorin am Montag in Hamburg.\n\n"
    "The harbour opened in 1998, the director said on Monday in Hamburg.",
    "length changes when lower-cased": "İstanbul'un limanı 1998'de açıldı ve şehir çok mutlu oldu.",
    "cjk and joiners": "港口于1998年开放。 Dae\u00adsh co\u200bntrols the road; O’Brien said so.",
    "compatibility forms": "He wrote \ufdfa ﷺ; the ﬁnance ﬂow rose by 1,000 and ½ per cent.",
    "list": "Steps:\n1. Open the gate slowly\n2. Close the door behind you\n3. Lock it twice",
    "no words": "... --- !!!",
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_decode_gives_back_what_prepare_made(name: str) -> None:
    text = TEXTS[name]
    seg = pipeline.prepare(text)
    assert segments.decode(text, segments.encode(seg)) == seg


def test_every_seed_round_trips_and_is_compact() -> None:
    stored = passages = 0
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        seg = pipeline.prepare(text)
        blob = segments.encode(seg)
        assert segments.decode(text, blob) == seg
        stored += len(blob)
        passages += len(seg.passages)
    # offsets as gaps, words only where they are not the text lower-cased: ~50-75 bytes
    # a passage (the passages table holds ~530 with its LSH keys)
    assert stored / passages < 150


def test_a_truncated_text_round_trips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_prepare, "MAX_TEXT_CHARS", 3000)
    text = seed_text("001") * 3
    seg = pipeline.prepare(text)
    assert seg.truncated_from == len(text)
    assert segments.decode(text, segments.encode(seg)) == seg


def _repack(blob: bytes, at: int, value: bytes) -> bytes:
    body = bytearray(zlib.decompress(blob))
    body[at : at + len(value)] = value
    return zlib.compress(bytes(body))


def _damaged() -> dict[str, tuple[str, bytes]]:
    text = TEXTS["english"]
    seg = pipeline.prepare(text)
    blob = segments.encode(seg)
    body = zlib.decompress(blob)
    n_blocks, n_passages = len(seg.blocks), len(seg.passages)
    # the blocks' then the passages' arrays end the blob
    blocks_at = len(body) - 12 * n_passages - 20 * n_blocks
    past_text = struct.pack("<i", len(text) + 100)  # the first block's end
    past_words = struct.pack("<i", len(seg.norm.words) + 5)  # the last passage's last word
    return {
        "not zlib": (text, b"\x00\x01 not a blob"),
        "empty": (text, b""),
        "cut short": (text, zlib.compress(body[: len(body) // 2])),
        "another format": (text, _repack(blob, 4, struct.pack("<H", segments.FORMAT + 1))),
        "another normalisation": (text, _repack(blob, 6, struct.pack("<H", 999))),
        "another text": (text + " And more.", blob),
        "a shorter text": (text[:20], blob),
        "a zip bomb": (text, zlib.compress(body + b"\x00" * (200 * len(text)))),
        "a block past the text": (text, _repack(blob, blocks_at + 4, past_text)),
        "a passage past the words": (text, _repack(blob, len(body) - 4, past_words)),
    }


@pytest.mark.parametrize("case", sorted(_damaged()))
def test_a_damaged_blob_is_refused_not_trusted(case: str) -> None:
    text, blob = _damaged()[case]
    with pytest.raises(segments.BadSegments):
        segments.decode(text, blob)


# -- in the index --------------------------------------------------------------------


def _answer(db: Path, suspect: Path) -> list[tuple[str, str, float, float]]:
    (result,) = pipeline.check([suspect], db)
    return [
        (Path(m.source).name, m.score.verdict, m.score.copy_coverage, m.score.source_coverage)
        for m in result.matches
    ]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "seeds.db"
    list(indexing.add([seed_path("001"), seed_path("004")], path))
    return path


def test_check_reads_the_stored_segmentation_instead_of_segmenting_candidates(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suspect = seed_path("000")
    expected = _answer(db, suspect)
    assert expected  # the seed copies an indexed source
    calls = count_prepare_calls(monkeypatch)
    assert _answer(db, suspect) == expected
    assert calls == [seed_text("000")]  # the suspect only: no candidate segmented again


def test_an_old_index_is_segmented_at_check_time_until_reindexed(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suspect = seed_path("000")
    expected = _answer(db, suspect)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("DELETE FROM segments")  # as an index written before m005
    healthy, report = indexing.doctor(db)
    assert healthy and report["unsegmented"] == 2
    calls = count_prepare_calls(monkeypatch)
    assert _answer(db, suspect) == expected
    assert len(calls) > 1  # candidates segmented again
    assert indexing.reindex(db) == 2
    assert indexing.doctor(db)[1]["unsegmented"] == 0
    calls.clear()
    monkeypatch.setattr(verify, "_source_cache", {})
    assert _answer(db, suspect) == expected
    assert calls == [seed_text("000")]


def test_a_damaged_stored_segmentation_is_not_trusted(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suspect = seed_path("000")
    expected = _answer(db, suspect)
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE segments SET data = ?", [zlib.compress(b"PSEG" + b"\xff" * 64)])
    calls = count_prepare_calls(monkeypatch)
    assert _answer(db, suspect) == expected
    assert len(calls) > 1


def test_removing_or_replacing_a_source_removes_its_segmentation(db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "001.txt"
    copy.write_text(seed_text("001"), encoding="utf-8")
    list(indexing.add([copy], db))  # a duplicate: an alias, no second segmentation
    pipeline.remove(db, str(seed_path("004")))
    with Store.open(db) as store:
        ids = store.source_ids()
        assert sorted(store.segmentations([*ids, 999])) == ids
    healthy, report = indexing.doctor(db)
    assert healthy and not report["orphans"]["segmentations without a source"]


def test_a_check_reads_the_stored_segmentations_of_sources_not_kept_only(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first check reads its candidates' stored segmentations; a second one, its
    candidates kept segmented in the process, reads none (and answers the same)."""
    monkeypatch.setattr(verify, "_source_cache", {})
    monkeypatch.setattr(verify, "_source_cache_chars", 0)
    asked: list[list[int]] = []
    real = Store.segmentations

    def spy(self: Store, ids: list[int]) -> dict[int, bytes]:
        asked.append(list(ids))
        return real(self, ids)

    monkeypatch.setattr(Store, "segmentations", spy)
    suspect = seed_path("000")
    expected = _answer(db, suspect)
    assert expected and any(asked)
    asked.clear()
    assert _answer(db, suspect) == expected
    assert asked == [[]]
