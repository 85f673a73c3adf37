"""Validating the alignment-faking judges against human labels (issue 5).

* :mod:`~af_inspect.validation.data`: the labelled scratchpads (HF file, user files, eval logs);
* :mod:`~af_inspect.validation.stats`: AUROC, bootstrap interval, confusion, votes curve (pure);
* :mod:`~af_inspect.validation.metrics`: the same as Inspect metrics;
* :mod:`~af_inspect.validation.task`: the task ``af_classifier_validation``;
* :mod:`~af_inspect.validation.report`: ROC plot and tables from a validation log.

The task module is not imported here (it pulls in the judge scorers); import it from
``af_inspect.validation.task``.
"""
