"""Results of many eval logs: one tidy table, rates and paired contrasts, the report.

- `load_results` / `results_table` (`table`): logs to one row per sample and epoch;
- `condition_rates`, `contrast_gaps`, `per_sample_means` (`aggregate`): per run and
  condition, per run and contrast, with the suite's statistics; `holm_adjust` (`holm`);
- `summary_frame` (`summary`): every number of the report in one long table;
- `write_report` (`report`): the files of `af-inspect report`.

Reading a log imports Inspect; the figures need matplotlib (the ``report`` extra).
"""

from af_inspect.results.aggregate import condition_rates, contrast_gaps, per_sample_means
from af_inspect.results.holm import holm_adjust
from af_inspect.results.report import ReportError, write_report
from af_inspect.results.summary import summary_frame
from af_inspect.results.table import Results, load_results, results_table

__all__ = [
    "ReportError",
    "Results",
    "condition_rates",
    "contrast_gaps",
    "holm_adjust",
    "load_results",
    "per_sample_means",
    "results_table",
    "summary_frame",
    "write_report",
]
