"""Detectors: pipeline components that read a Document and add Findings to it."""

from forewarn.detectors.base import Detector, Pipeline, build_pipeline

__all__ = ["Detector", "Pipeline", "build_pipeline"]
