"""Evaluation: rubrics, evaluators, panels, conflicts of interest, score sheets, aggregation, ranking, selection."""
