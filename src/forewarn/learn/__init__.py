"""Learning from the annotated corpus (``training/corpus``): reading it, turning passages into
the passage model's features, fitting and calibrating the model. Needs the ``train`` extra
(scikit-learn); nothing here runs while scanning."""
