"""Reproducible evaluation: the Webis passage benchmark, its grouped protocol, and baselines.

Evaluation code may use scikit-learn (the ``train`` extra); ``forewarn scan`` never imports it.
"""

from forewarn.evaluation.protocol import EvalResult, Protocol, evaluate
from forewarn.evaluation.systems import System, register_system
from forewarn.evaluation.webis import Passage, load_passages

__all__ = [
    "EvalResult",
    "Passage",
    "Protocol",
    "System",
    "evaluate",
    "load_passages",
    "register_system",
]
