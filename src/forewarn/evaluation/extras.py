"""The optional dependencies of evaluation systems: a missing one is named, with what to install."""

from __future__ import annotations


class MissingDependency(RuntimeError):
    """An optional dependency of a system is not installed; the message says what to install."""


def require_sklearn(who: str) -> None:
    """Raise MissingDependency naming ``who`` unless scikit-learn (the train extra) imports."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise MissingDependency(
            f"{who} needs scikit-learn: pip install 'forewarn[train]'"
        ) from None
