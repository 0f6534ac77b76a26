"""Fitting the health score's component weights on the company's own closed renewals.

A small pure module (numpy + scipy only, no I/O): the dbt Python model
`int_health_weight_fits` calls it on the frame of closed renewals (one row per renewal, the
component scores 90 days before it: a few hundred rows, never events), and the tests call it on
synthetic frames (tests/health/test_health_fit.py).

The model fitted is the health score itself. The composite of day D is the weighted mean of the
PRESENT components with the weights renormalized over them (docs/health.md); here

    composite(w, x) = sum_j w_j x_j m_j / sum_j w_j m_j        (m_j = 1 when component j is present)
    P(renewed)      = sigmoid(a + b * (composite / 100 - 0.5))

and the weights w (non-negative, summing to 1, as the composite requires), the intercept a and
the slope b >= 0 are chosen by penalized maximum likelihood:

    sum(log loss) + shrinkage * sum_j (w_j - w_configured_j)^2

A missing component is handled exactly as the score handles it - left out and the others
renormalized - so no imputation is needed and the fitted weights drop into the same formula.
The penalty is a fixed number of "renewals' worth" of evidence: with few renewals it dominates and
the weights stay near the configured ones; with many the data decides.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

MAX_SLOPE = 40.0  # bounds the slope so a perfectly separating component cannot run it to infinity
EPSILON = 1e-9


@dataclass(frozen=True)
class Fit:
    weights: np.ndarray  # one per component, >= 0, sum 1
    intercept: float
    slope: float


def composite(weights: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """The health score's renormalized weighted mean (0-100; NaN scores are missing components).

    NaN when no component with weight > 0 is present."""
    present = ~np.isnan(scores)
    filled = np.where(present, scores, 0.0)
    present_weight = present @ weights
    points = filled @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(present_weight > EPSILON, points / np.maximum(present_weight, EPSILON), np.nan)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _log_loss(intercept: float, slope: float, score: np.ndarray, renewed: np.ndarray) -> float:
    z = intercept + slope * (score / 100.0 - 0.5)
    # log(1 + e^z) - y z, stable for large |z|
    return float(np.sum(np.logaddexp(0.0, z) - renewed * z))


def calibrate(score: np.ndarray, renewed: np.ndarray) -> tuple[float, float]:
    """Intercept and slope of P(renewed) = sigmoid(a + b (score/100 - 0.5)) for a fixed score."""
    keep = ~np.isnan(score)
    score, renewed = score[keep], renewed[keep]

    def loss(params: np.ndarray) -> float:
        return _log_loss(params[0], params[1], score, renewed)

    start = np.array([_logit(renewed.mean()), 0.0])
    result = minimize(loss, start, method="L-BFGS-B", bounds=[(-30.0, 30.0), (0.0, MAX_SLOPE)])
    return float(result.x[0]), float(result.x[1])


def _logit(rate: float) -> float:
    rate = min(max(rate, 0.01), 0.99)
    return float(np.log(rate / (1.0 - rate)))


def fit_weights(scores: np.ndarray, renewed: np.ndarray, configured: np.ndarray, shrinkage: float) -> Fit:
    """Penalized maximum-likelihood weights (see the module docstring).

    scores: n x k component scores 0-100, NaN = missing; renewed: n of 0/1; configured: k weights
    summing to 1; shrinkage: the penalty on the squared distance from the configured weights."""
    scores = np.asarray(scores, dtype=float)
    renewed = np.asarray(renewed, dtype=float)
    configured = np.asarray(configured, dtype=float)
    k = configured.size
    if len(renewed) == 0 or renewed.min() == renewed.max():
        # one outcome only: nothing to separate, the configured weights stand
        intercept, slope = (_logit(renewed.mean()), 0.0) if len(renewed) else (0.0, 0.0)
        return Fit(configured.copy(), intercept, slope)

    present = ~np.isnan(scores)
    filled = np.where(present, scores, 0.0)

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        """Penalized log loss and its gradient (analytic: the fit runs many times per build)."""
        weights, intercept, slope = params[:k], params[k], params[k + 1]
        present_weight = present @ weights
        informative = present_weight > EPSILON  # rows with no weighted component score 50, no gradient
        safe_weight = np.where(informative, present_weight, 1.0)
        score = np.where(informative, (filled @ weights) / safe_weight, 50.0)
        centred = score / 100.0 - 0.5
        z = intercept + slope * centred
        loss = float(np.sum(np.logaddexp(0.0, z) - renewed * z)) + shrinkage * float(
            np.sum((weights - configured) ** 2)
        )
        residual = _sigmoid(z) - renewed
        # d score_i / d w_j = m_ij (x_ij - score_i) / present_weight_i
        d_score = np.where(informative[:, None], present * (filled - score[:, None]) / safe_weight[:, None], 0.0)
        gradient = np.empty(k + 2)
        gradient[:k] = (residual * slope / 100.0) @ d_score + 2.0 * shrinkage * (weights - configured)
        gradient[k] = residual.sum()
        gradient[k + 1] = residual @ centred
        return loss, gradient

    intercept, slope = calibrate(composite(configured, scores), renewed)
    start = np.concatenate([configured, [intercept, slope]])
    bounds = [(0.0, 1.0)] * k + [(-30.0, 30.0), (0.0, MAX_SLOPE)]
    constraints = [{"type": "eq", "fun": lambda params: np.sum(params[:k]) - 1.0}]
    result = minimize(
        objective,
        start,
        jac=True,
        method="SLSQP",
        bounds=bounds,
        constraints=constraints,
        options={"maxiter": 500, "ftol": 1e-10},
    )
    weights = np.clip(result.x[:k], 0.0, None)
    weights = weights / weights.sum()
    return Fit(weights, float(result.x[k]), float(result.x[k + 1]))


def predict(fit: Fit, scores: np.ndarray) -> np.ndarray:
    score = composite(fit.weights, np.asarray(scores, dtype=float))
    score = np.where(np.isnan(score), 50.0, score)
    return _sigmoid(fit.intercept + fit.slope * (score / 100.0 - 0.5))


def auc(score: np.ndarray, renewed: np.ndarray) -> float | None:
    """Rank-based AUC (Mann-Whitney): P(a renewed one scores higher than a churned one), ties half.

    The same arithmetic as rpt_health_component_validation; None without both outcomes."""
    score = np.asarray(score, dtype=float)
    renewed = np.asarray(renewed, dtype=float)
    keep = ~np.isnan(score)
    score, renewed = score[keep], renewed[keep]
    positives = renewed.sum()
    negatives = len(renewed) - positives
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    ranks[order] = np.arange(1, len(score) + 1)
    for value in np.unique(score):  # ties share their mean rank
        tied = score == value
        ranks[tied] = ranks[tied].mean()
    return float((ranks[renewed == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def brier(probability: np.ndarray, renewed: np.ndarray) -> float | None:
    if len(renewed) == 0:
        return None
    return float(np.mean((np.asarray(probability) - np.asarray(renewed)) ** 2))


@dataclass(frozen=True)
class Evaluation:
    """Out-of-sample comparison of fitted and configured weights (time-ordered folds)."""

    scored_renewals: int
    auc_fitted: float | None
    auc_configured: float | None
    brier_fitted: float | None
    brier_configured: float | None


def evaluate_out_of_sample(
    scores: np.ndarray,
    renewed: np.ndarray,
    renewal_dates: np.ndarray,
    configured: np.ndarray,
    shrinkage: float,
    folds: int,
) -> Evaluation:
    """Time-ordered cross-validation: the renewals, in date order, are cut at `folds` points;
    for each cut the weights are fitted on the renewals dated before it and score those from it
    to the next cut. The configured weights are scored on the same renewals, their probability
    calibrated (intercept and slope only) on the same training renewals, so the Brier scores
    compare like with like. The pooled out-of-sample predictions give the AUC and Brier scores."""
    scores = np.asarray(scores, dtype=float)
    renewed = np.asarray(renewed, dtype=float)
    dates = np.asarray(renewal_dates).astype("datetime64[D]")
    order = np.argsort(dates, kind="mergesort")
    scores, renewed, dates = scores[order], renewed[order], dates[order]
    n = len(renewed)
    cut_dates = [dates[int(n * (fold + 1) / (folds + 1))] for fold in range(folds)] if n > folds else []
    cut_dates = sorted(set(cut_dates))
    outcomes, fitted_p, configured_p, fitted_s, configured_s = [], [], [], [], []
    for index, cut in enumerate(cut_dates):
        train = dates < cut
        test = (dates >= cut) & (dates < cut_dates[index + 1]) if index + 1 < len(cut_dates) else dates >= cut
        if not test.any() or renewed[train].min(initial=1) == renewed[train].max(initial=0):
            continue  # nothing to score, or training renewals of one outcome only
        fit = fit_weights(scores[train], renewed[train], configured, shrinkage)
        intercept, slope = calibrate(composite(configured, scores[train]), renewed[train])
        configured_fit = Fit(configured, intercept, slope)
        outcomes.append(renewed[test])
        fitted_p.append(predict(fit, scores[test]))
        configured_p.append(predict(configured_fit, scores[test]))
        fitted_s.append(composite(fit.weights, scores[test]))
        configured_s.append(composite(configured, scores[test]))
    if not outcomes:
        return Evaluation(0, None, None, None, None)
    y = np.concatenate(outcomes)
    return Evaluation(
        scored_renewals=len(y),
        auc_fitted=auc(np.concatenate(fitted_s), y),
        auc_configured=auc(np.concatenate(configured_s), y),
        brier_fitted=brier(np.concatenate(fitted_p), y),
        brier_configured=brier(np.concatenate(configured_p), y),
    )
