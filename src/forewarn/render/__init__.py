"""Renderers: turn a Report into what a person or a program reads."""
