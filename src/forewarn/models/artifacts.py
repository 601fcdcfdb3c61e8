"""Where the shipped model artifacts live, and how to read them with numpy alone.

The artifacts (built by `make models`, see models/build.py) sit in ``forewarn/data/models/``:
``static/`` (model2vec format), ``minilm/`` (int8 ONNX), ``manifest.json`` (sha256 and size of
every file) and ``build_report.json`` (quality measured at build time).
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

#: safetensors dtype names -> numpy dtypes (the ones our artifacts can hold).
_SAFETENSORS_DTYPES = {
    "F16": np.float16,
    "F32": np.float32,
    "F64": np.float64,
    "I8": np.int8,
    "I32": np.int32,
    "I64": np.int64,
}


class ArtifactError(RuntimeError):
    """A model artifact is missing or malformed (a broken install, not a user error)."""


def models_dir() -> Path:
    """The installed ``forewarn/data/models`` folder."""
    return Path(str(resources.files("forewarn").joinpath("data/models")))


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a ``.safetensors`` file as a numpy array (format: 8-byte header size,
    JSON header of dtype/shape/offsets, raw little-endian data), without the safetensors package."""
    raw = Path(path).read_bytes()
    if len(raw) < 8:
        raise ArtifactError(f"{path}: too short to be a safetensors file")
    header_size = int.from_bytes(raw[:8], "little")
    if header_size > len(raw) - 8:
        raise ArtifactError(f"{path}: header size {header_size} exceeds the file")
    header = json.loads(raw[8 : 8 + header_size])
    body = memoryview(raw)[8 + header_size :]
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        dtype = _SAFETENSORS_DTYPES.get(spec["dtype"])
        if dtype is None:
            raise ArtifactError(f"{path}: tensor {name!r} has unsupported dtype {spec['dtype']}")
        start, end = spec["data_offsets"]
        shape = tuple(spec["shape"])
        array = np.frombuffer(body[start:end], dtype=np.dtype(dtype).newbyteorder("<"))
        if array.size != int(np.prod(shape)):
            raise ArtifactError(f"{path}: tensor {name!r} does not match its shape {shape}")
        tensors[name] = array.reshape(shape)
    return tensors


def truncating(tokenizer: str, max_length: int | None) -> Tokenizer:
    """A tokenizer of its own from ``tokenizer`` (its JSON), without padding, cutting texts at
    ``max_length`` tokens (None: never); one per limit, as setting it changes the tokenizer."""
    copy = Tokenizer.from_str(tokenizer)
    copy.no_padding()
    copy.no_truncation()
    if max_length is not None:
        copy.enable_truncation(max_length)
    return copy


def read_json(path: Path) -> dict[str, Any]:
    """A JSON artifact, with a clear error when it is missing."""
    try:
        data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ArtifactError(f"model artifact missing: {path} (rebuild with `make models`)") from exc
    return data


def load_manifest(directory: Path | None = None) -> dict[str, Any]:
    """The build manifest: file hashes and sizes, source package versions, dims, build command."""
    return read_json((directory or models_dir()) / "manifest.json")


def sha256(path: Path) -> str:
    """Hex sha256 of a file, to check an artifact against the manifest."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
