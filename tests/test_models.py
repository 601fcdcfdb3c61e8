"""The shipped sentence encoders: they load offline, agree with the reference implementations
(model2vec, sentence-transformers on torch) as measured when `make models` built them, and
place similar sentences closer than unrelated ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from forewarn.models import ArtifactError, OnnxEncoder, StaticEmbedder, load_manifest
from forewarn.models.artifacts import models_dir, read_safetensors, sha256

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "fixtures" / "models" / "reference.npz"
JUMP, LEAP, BREAKFAST = (
    "He jumped off the bridge",
    "She leapt from the bridge",
    "They ate breakfast",
)


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    """Texts and the vectors model2vec / torch / the int8 model produced at build time."""
    with np.load(REFERENCE, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


@pytest.fixture(scope="module")
def texts(reference: dict[str, np.ndarray]) -> list[str]:
    return [str(t) for t in reference["texts"]]


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_artifacts_match_their_manifest() -> None:
    manifest = load_manifest()
    assert manifest["build_command"] == "make models"
    for name, entry in manifest["files"].items():
        path = ROOT / name
        assert path.stat().st_size == entry["bytes"], name
        assert sha256(path) == entry["sha256"], name
    assert manifest["total_bytes"] < 60 * 1024 * 1024


def test_static_matches_model2vec(reference: dict[str, np.ndarray], texts: list[str]) -> None:
    vectors = StaticEmbedder.load().encode(texts)
    assert vectors.dtype == np.float32
    assert vectors.shape == reference["static"].shape == (len(texts), 256)
    np.testing.assert_allclose(vectors, reference["static"], atol=1e-5)


def test_static_rows_are_unit_length_and_empty_text_is_zero() -> None:
    vectors = StaticEmbedder.load().encode(["A quiet street at night.", "", "   "])
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, abs=1e-5)
    assert not np.isnan(vectors).any()
    assert not vectors[1:].any()
    assert StaticEmbedder.load().encode([]).shape == (0, 256)


def test_static_truncates_long_texts(texts: list[str]) -> None:
    static = StaticEmbedder.load()
    long_text = texts[-1]
    assert len(long_text.split()) > 1000
    extended = long_text + " The harbour burned and everyone in the town drowned."
    a, b = static.encode([long_text, extended])
    np.testing.assert_array_equal(a, b)  # the ending lies past 512 tokens
    c, d = static.encode([long_text, extended], max_length=None)
    assert not np.array_equal(c, d)


def test_static_is_deterministic_and_independent_of_batching(texts: list[str]) -> None:
    static = StaticEmbedder.load()
    whole = static.encode(texts)
    np.testing.assert_array_equal(whole, static.encode(texts))
    np.testing.assert_allclose(whole, static.encode(texts, batch_size=7), atol=1e-6)
    np.testing.assert_allclose(whole[3:4], static.encode(texts[3:4]), atol=1e-6)


def test_static_vectors_looked_up_in_runs_are_those_of_the_whole_batch(
    texts: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch's token vectors are looked up ``LOOKUP_TOKENS`` at a time (a batch of long
    lines of one-letter words held 130 MB of them); each text's are summed as before."""
    import forewarn.models.static as static_module

    static = StaticEmbedder.load()
    batch = [*texts, "", "a " * 600, "[UNK] [UNK]", *texts]
    monkeypatch.setattr(static_module, "LOOKUP_TOKENS", 10**12)
    whole = static.encode(batch)
    for tokens in (1, 5, 64):
        monkeypatch.setattr(static_module, "LOOKUP_TOKENS", tokens)
        assert static.encode(batch).tobytes() == whole.tobytes()


def test_encoder_close_to_torch_model(reference: dict[str, np.ndarray], texts: list[str]) -> None:
    vectors = OnnxEncoder.load().encode(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (len(texts), 384)
    assert cosine_rows(vectors, reference["torch"]).min() >= 0.98  # includes a truncated text
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_encoder_matches_build_output(reference: dict[str, np.ndarray], texts: list[str]) -> None:
    vectors = OnnxEncoder.load().encode(texts)
    assert cosine_rows(vectors, reference["onnx"]).min() > 0.999
    np.testing.assert_allclose(vectors, reference["onnx"], atol=5e-3)


def test_encoder_vector_does_not_depend_on_companions(texts: list[str]) -> None:
    encoder = OnnxEncoder.load()
    alone = encoder.encode([texts[5]])
    together = encoder.encode([texts[0], texts[5], texts[-1]])
    np.testing.assert_array_equal(alone[0], together[1])
    np.testing.assert_array_equal(together, encoder.encode([texts[0], texts[5], texts[-1]]))


def test_encoder_truncates_at_max_length(texts: list[str]) -> None:
    encoder = OnnxEncoder.load()
    long_text = texts[-1]
    assert encoder.token_lengths([long_text]) == [256]
    assert encoder.token_lengths([long_text], max_length=64) == [64]
    a, b = encoder.encode([long_text, long_text + " Everyone drowned."])
    np.testing.assert_array_equal(a, b)
    short = encoder.encode([long_text], max_length=64)[0]
    assert float(short @ a) < 0.9999
    assert encoder.encode([]).shape == (0, 384)


def test_encoders_call_the_deadline_check_between_batches_without_changing_vectors() -> None:
    """A scan's time limit binds inside a long encoding (issue 15): ``check`` runs before
    every batch, whatever it raises stops the encoding, and the vectors do not change."""

    class Spent(Exception):
        pass

    texts = [f"She walked home in the rain on day {i}." for i in range(6)]
    calls: list[int] = []

    def check() -> None:
        calls.append(len(calls))
        if len(calls) == 4:
            raise Spent

    encoder = OnnxEncoder.load()
    with pytest.raises(Spent):
        encoder.encode(texts, check=check)  # the tokenizer's one chunk, then batch by batch
    assert len(calls) == 4
    assert encoder.encode(texts, check=lambda: None).tobytes() == encoder.encode(texts).tobytes()
    static = StaticEmbedder.load()
    calls.clear()
    with pytest.raises(Spent):
        static.encode(texts, batch_size=1, check=check)
    assert len(calls) == 4
    assert (
        static.encode(texts, batch_size=2, check=lambda: None).tobytes()
        == static.encode(texts).tobytes()
    )


@pytest.mark.parametrize("load", [StaticEmbedder.load, OnnxEncoder.load])
def test_similar_events_are_closer_than_unrelated_ones(load: object) -> None:
    vectors = load().encode([JUMP, LEAP, BREAKFAST])  # type: ignore[operator]
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.2


def test_load_is_cached_per_process_and_thread_count() -> None:
    assert StaticEmbedder.load() is StaticEmbedder.load()
    assert OnnxEncoder.load() is OnnxEncoder.load()
    one = OnnxEncoder.load(threads=1)
    assert one is OnnxEncoder.load(threads=1)
    assert one is not OnnxEncoder.load()
    assert one.session.get_session_options().intra_op_num_threads == 1


@pytest.mark.slow
def test_runtime_imports_neither_torch_nor_model2vec() -> None:
    code = (
        "import sys, json; from forewarn.models import StaticEmbedder, OnnxEncoder;"
        "StaticEmbedder.load().encode(['a']); OnnxEncoder.load().encode(['a']);"
        "print(json.dumps(sorted(m for m in ('torch', 'model2vec', 'transformers',"
        " 'sentence_transformers', 'safetensors') if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_broken_artifacts_raise_artifact_error(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="config.json"):
        StaticEmbedder.from_folder(tmp_path)
    with pytest.raises(ArtifactError, match="encoder incomplete"):
        (tmp_path / "config.json").write_text('{"dim": 384}')
        OnnxEncoder.from_folder(tmp_path)
    shipped = (models_dir() / "static" / "model.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(shipped[:1000])
    with pytest.raises(ArtifactError):
        read_safetensors(tmp_path / "cut.safetensors")


def test_pool_workers_share_the_cores_instead_of_each_taking_all() -> None:
    """N worker processes each running one thread per core oversubscribe the machine (the
    2-process batch was slower than 1 process): a worker's encoder takes its share."""
    from forewarn.models.encoder import set_default_threads, threads_per_worker

    cores = os.cpu_count() or 1
    assert threads_per_worker(1) == cores
    assert threads_per_worker(cores) == 1 and threads_per_worker(cores * 4) == 1
    assert threads_per_worker(2) * 2 <= max(2, cores)
    set_default_threads(1)
    try:
        options = OnnxEncoder.load().session.get_session_options()
        assert options.intra_op_num_threads == 1
    finally:
        set_default_threads(None)
    with pytest.raises(ValueError):
        set_default_threads(0)
