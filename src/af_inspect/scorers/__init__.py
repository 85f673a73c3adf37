"""Scorers: compliance from tags, and (with judges) the paper's classifiers."""

from af_inspect.scorers.tag import accept_tag_compliance

__all__ = ["accept_tag_compliance"]
