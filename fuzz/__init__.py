"""Coverage-guided fuzzing of forewarn's readers and scanner (atheris); see fuzz/README.md."""
