"""The weight fit (dagster_project/health_fit.py) on synthetic renewal frames.

- one component determines the outcome: the fit gives it the dominant weight, and beats the
  configured weights out of sample;
- few renewals: the fitted weights stay near the configured ones (the shrinkage);
- missing components are renormalized exactly as the health score does;
- the AUC counts ties half (the same arithmetic as rpt_health_component_validation).
"""

from __future__ import annotations

import numpy as np
import pytest

from dagster_project import health_fit

COMPONENTS = ["deployment", "adoption", "support", "financial"]
CONFIGURED = np.array([0.4, 0.2, 0.2, 0.2])


def synthetic_book(renewals: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores 0-100 for four components; only adoption (column 1) drives the outcome."""
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0, 100, size=(renewals, len(COMPONENTS)))
    probability = 1 / (1 + np.exp(-(scores[:, 1] - 45) / 6))
    renewed = (rng.uniform(size=renewals) < probability).astype(float)
    scores[rng.uniform(size=renewals) < 0.2, 2] = np.nan  # support missing for a fifth
    dates = np.datetime64("2025-01-01") + np.sort(rng.integers(0, 365, size=renewals)).astype("timedelta64[D]")
    return scores, renewed, dates


def test_the_component_that_determines_the_outcome_gets_the_dominant_weight():
    scores, renewed, dates = synthetic_book(800, seed=1)
    fit = health_fit.fit_weights(scores, renewed, CONFIGURED, shrinkage=50)
    assert fit.weights.sum() == pytest.approx(1.0)
    assert (fit.weights >= 0).all()
    assert fit.weights.argmax() == 1
    assert fit.weights[1] > 0.7, fit.weights  # configured 0.2
    assert fit.slope > 0

    evaluation = health_fit.evaluate_out_of_sample(scores, renewed, dates, CONFIGURED, shrinkage=50, folds=4)
    assert evaluation.scored_renewals > 500
    assert evaluation.auc_fitted > evaluation.auc_configured + 0.1
    assert evaluation.brier_fitted < evaluation.brier_configured


def test_with_few_renewals_the_fitted_weights_stay_near_the_configured_ones():
    scores, renewed, _ = synthetic_book(800, seed=2)
    small = health_fit.fit_weights(scores[:15], renewed[:15], CONFIGURED, shrinkage=50)
    large = health_fit.fit_weights(scores, renewed, CONFIGURED, shrinkage=50)
    assert np.abs(small.weights - CONFIGURED).max() < 0.1, small.weights
    # the same signal, more evidence: further from the configured weights
    assert np.abs(large.weights - CONFIGURED).max() > 3 * np.abs(small.weights - CONFIGURED).max()


def test_one_outcome_only_keeps_the_configured_weights():
    scores, _, _ = synthetic_book(50, seed=3)
    fit = health_fit.fit_weights(scores, np.ones(50), CONFIGURED, shrinkage=50)
    assert fit.weights == pytest.approx(CONFIGURED)
    assert fit.slope == 0


def test_the_composite_renormalizes_over_present_components_like_the_health_score():
    # docs/health.md: only adoption (80, weight 0.3) and value (55, weight 0.2) present -> 70
    weights = np.array([0.3, 0.2, 0.5])
    scores = np.array([[80.0, 55.0, np.nan], [np.nan, np.nan, np.nan], [10.0, 20.0, 30.0]])
    assert health_fit.composite(weights, scores)[0] == pytest.approx(70.0)
    assert np.isnan(health_fit.composite(weights, scores)[1])
    assert health_fit.composite(weights, scores)[2] == pytest.approx(3 + 4 + 15)


def test_auc_counts_ties_half():
    # renewed 80, 60, 60 vs lost 60, 40: 4 pairs won, 2 tied -> 5 / 6 (the dbt unit test's case)
    score = np.array([80, 60, 60, 60, 40, np.nan])
    renewed = np.array([1, 1, 1, 0, 0, 0])
    assert health_fit.auc(score, renewed) == pytest.approx(5 / 6)
    assert health_fit.auc(score[:3], renewed[:3]) is None
