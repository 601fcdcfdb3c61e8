"""forewarn's shipped sentence encoders: the two embedding stages of the detection cascade.

Runtime needs only numpy, onnxruntime and tokenizers — never torch, never a download. The
artifacts are built offline by ``make models`` (models/build.py) and committed under
``forewarn/data/models/``; ``manifest.json`` there records hashes, sizes, dims, source versions.

Stage 1 — :class:`StaticEmbedder` (model2vec distillation of all-MiniLM-L6-v2, 256 dims):
    ``StaticEmbedder.load().encode(texts: list[str], max_length=512) -> np.ndarray`` float32
    (n, 256), unit rows (a text with no known token: zeros).
    Screens every sentence of a book in well under a second per chapter.

Stage 2 — :class:`OnnxEncoder` (all-MiniLM-L6-v2, int8 ONNX, 384 dims):
    ``OnnxEncoder.load(threads=None).encode(texts, batch_size=1, max_length=256)``
    -> np.ndarray float32 (n, 384), unit rows; texts beyond ``max_length`` tokens are truncated.
    ``batch_size=1`` keeps each vector independent of its companions (int8 activation scales
    are per batch) and is the fastest setting for windows on CPU.
    Judges candidate windows (3-5 sentences) the way sentence-transformers would.

Both ``load`` calls return a per-process cached instance (keyed by folder, and for the encoder
by thread count), so detectors may call them freely. Rows are L2-normalised, so a dot product
is a cosine similarity. A missing or corrupt artifact raises :class:`ArtifactError`.
"""

from forewarn.models.artifacts import ArtifactError, load_manifest, models_dir
from forewarn.models.encoder import OnnxEncoder
from forewarn.models.static import StaticEmbedder

__all__ = ["ArtifactError", "OnnxEncoder", "StaticEmbedder", "load_manifest", "models_dir"]
