"""Estimators behind :func:`ivrscore.calibrate.calibrate`, each with its standard error.

* :func:`proportion` - a share with its binomial standard error.
* :func:`fit_survival` - a duration observed with right-censoring (the caller's patience: a
  caller who was answered waited *at least* that long; a queue's offered wait: a caller who hung
  up would have waited *at least* that long): the exponential by maximum likelihood, a log-normal
  fit, the Kaplan-Meier curve with its 95% band (:func:`scipy.stats.ecdf` on
  :class:`scipy.stats.CensoredData`), and the hazard per interval (an actuarial life table).
* :func:`fit_durations` - a duration observed in full (handle times).
* :func:`mixture_shares` - the shares of a mixture whose components' likelihoods are known
  (the tasks of callers whose task the log does not record), by EM, with standard errors from
  the observed information.

scipy is imported when an estimator runs, so ``import ivrscore`` stays fast.

References
----------
.. [1] L. Brown, N. Gans, A. Mandelbaum, A. Sakov, H. Shen, S. Zeltyn and L. Zhao, "Statistical
   analysis of a telephone call center: a queueing-science perspective", *Journal of the
   American Statistical Association* 100(469), 2005 (patience with censoring, the data set of
   :mod:`ivrscore.calibrate.readers.anonymous_bank`).
.. [2] E. L. Kaplan and P. Meier, "Nonparametric estimation from incomplete observations",
   *JASA* 53(282), 1958.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "DurationFit",
    "Estimate",
    "LognormalFit",
    "SurvivalFit",
    "fit_durations",
    "fit_survival",
    "mixture_shares",
    "proportion",
]

ZERO_S = 0.5
"""A duration logged as 0 s (whole seconds) is taken as 0.5 s by the log-normal fit."""


def _num(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


@dataclass(frozen=True)
class Estimate:
    """A fitted figure with its standard error (``nan`` when it cannot be estimated).

    Examples
    --------
    >>> Estimate(0.25, 0.01, 1875).z(0.27)
    -2.0
    """

    value: float
    se: float
    n: int = 0

    def z(self, predicted: float) -> float:
        """``(value - predicted) / se``."""
        if not (self.se > 0 and math.isfinite(self.se)):
            return math.nan
        return (self.value - predicted) / self.se

    def to_dict(self) -> dict[str, Any]:
        return {"value": _num(self.value), "se": _num(self.se), "n": self.n}


def proportion(k: float, n: float) -> Estimate:
    """The share ``k / n`` with its binomial standard error ``sqrt(p (1 - p) / n)``.

    Examples
    --------
    >>> e = proportion(30, 120)
    >>> e.value, round(e.se, 4)
    (0.25, 0.0395)
    >>> proportion(0, 0).value
    nan
    """
    if n <= 0:
        return Estimate(math.nan, math.nan, 0)
    p = k / n
    return Estimate(float(p), math.sqrt(p * (1.0 - p) / n), int(n))


@dataclass(frozen=True)
class LognormalFit:
    """A log-normal fit: ``median_s = exp(mu)``, ``sigma`` the standard deviation of the log."""

    median_s: float
    sigma: float
    se_median_s: float
    se_sigma: float
    loglik: float

    @property
    def mean_s(self) -> float:
        return self.median_s * math.exp(self.sigma**2 / 2.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "median_s": _num(self.median_s),
            "sigma": _num(self.sigma),
            "se_median_s": _num(self.se_median_s),
            "se_sigma": _num(self.se_sigma),
            "mean_s": _num(self.mean_s),
            "loglik": _num(self.loglik),
        }


@dataclass(frozen=True)
class SurvivalFit:
    """A right-censored duration, fitted three ways.

    Attributes
    ----------
    n, events : int
        Observations, and how many ended in the event (the others are censored).
    exposure_s : float
        Total observed time.
    exponential : Estimate
        Mean by maximum likelihood, ``exposure / events``; standard error ``mean / sqrt(events)``.
    lognormal : LognormalFit or None
        Censored maximum likelihood (:class:`scipy.stats.CensoredData`); standard errors from
        the observed information; ``None`` with fewer than 10 events.
    km_t, km_s, km_lo, km_hi : numpy arrays
        The Kaplan-Meier survival curve at its steps, with the 95% pointwise band.
    km_median_s : float
        Where the Kaplan-Meier curve falls to one half (``nan`` if it never does).
    hazard : dict of arrays
        Life table per interval: ``start_s``, ``width_s``, ``at_risk``, ``events``, ``hazard``
        (events per second at risk), ``se``.
    """

    n: int
    events: int
    exposure_s: float
    exponential: Estimate
    lognormal: LognormalFit | None
    km_t: NDArray[np.float64] = field(repr=False)
    km_s: NDArray[np.float64] = field(repr=False)
    km_lo: NDArray[np.float64] = field(repr=False)
    km_hi: NDArray[np.float64] = field(repr=False)
    km_median_s: float = math.nan
    hazard: dict[str, NDArray[np.float64]] = field(default_factory=dict, repr=False)

    @property
    def exponential_loglik(self) -> float:
        if self.events == 0 or self.exposure_s <= 0:  # every time 0: no rate to fit
            return math.nan
        theta = self.events / self.exposure_s
        return float(self.events * math.log(theta) - theta * self.exposure_s)

    def aic(self) -> dict[str, float]:
        """Akaike's criterion of each parametric fit (lower is better)."""
        out = {"exponential": 2.0 - 2.0 * self.exponential_loglik}
        if self.lognormal is not None:
            out["lognormal"] = 4.0 - 2.0 * self.lognormal.loglik
        return out

    def best(self) -> str:
        """``"exponential"`` or ``"lognormal"``, whichever has the lower AIC."""
        aic = self.aic()
        return min(aic, key=lambda k: aic[k] if math.isfinite(aic[k]) else math.inf)

    def survival(self, t: ArrayLike) -> NDArray[np.float64]:
        """The Kaplan-Meier survival probability at times ``t``."""
        t = np.asarray(t, dtype=float)
        if self.km_t.size == 0:  # no event seen: the curve never falls
            return np.ones(t.shape)
        idx = np.searchsorted(self.km_t, t, side="right") - 1
        out: NDArray[np.float64] = np.where(idx >= 0, self.km_s[np.maximum(idx, 0)], 1.0)
        return out

    def to_dict(self, *, hazard: bool = True) -> dict[str, Any]:
        """Plain data for JSON (without the life table when ``hazard`` is false)."""
        h = self.hazard if hazard else {}
        return {
            "n": self.n,
            "events": self.events,
            "censored": self.n - self.events,
            "exposure_s": _num(self.exposure_s),
            "exponential": {
                "mean_s": _num(self.exponential.value),
                "se": _num(self.exponential.se),
                "loglik": _num(self.exponential_loglik),
            },
            "lognormal": self.lognormal.to_dict() if self.lognormal else None,
            "aic": {k: _num(v) for k, v in self.aic().items()},
            "best": self.best() if self.events else None,
            "kaplan_meier": {
                "median_s": _num(self.km_median_s),
                "survival_at": {
                    f"{t}s": _num(float(self.survival([t])[0])) for t in (30, 60, 120, 300)
                },
            },
            "hazard": {
                k: [_num(float(x)) for x in h[k]]
                for k in ("start_s", "at_risk", "events", "hazard", "se")
            }
            if h
            else None,
        }


def _lognormal(x: NDArray[np.float64], c: NDArray[np.float64]) -> LognormalFit | None:
    """Censored log-normal maximum likelihood: events at ``x``, censored at ``c``.

    The log-likelihood in ``(mu, log sigma)`` with its analytic gradient goes to BFGS from the
    moments of the logged events; standard errors come from the Hessian (central differences
    of the gradient). This is the fit ``scipy.stats.lognorm.fit`` makes of a
    :class:`~scipy.stats.CensoredData` with ``floc=0``, a hundred times faster.
    """
    from scipy import optimize, special

    if x.size < 10:
        return None
    x = np.where(x > 0, x, ZERO_S)
    c = c[c > 0]  # censored at 0 says nothing
    lx, lc = np.log(x), np.log(c)
    half_log_2pi = 0.5 * math.log(2 * math.pi)

    def nll(p: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        mu, log_s = float(p[0]), float(p[1])
        s = math.exp(log_s)
        z = (lx - mu) / s
        ll = -0.5 * float(z @ z) - x.size * (log_s + half_log_2pi) - float(lx.sum())
        g_mu = float(z.sum()) / s
        g_ls = float((z * z).sum()) - x.size
        if lc.size:
            w = (lc - mu) / s
            log_tail = special.log_ndtr(-w)
            ll += float(log_tail.sum())
            mills = np.exp(-0.5 * w * w - half_log_2pi - log_tail)
            g_mu += float(mills.sum()) / s
            g_ls += float((mills * w).sum())
        return -ll, -np.array([g_mu, g_ls])

    start = np.array([float(lx.mean()), math.log(max(float(lx.std()), 0.05))])
    res = optimize.minimize(nll, start, jac=True, method="BFGS", options={"gtol": 1e-8})
    best = res.x if np.all(np.isfinite(res.x)) else start
    hess = _hessian(lambda p: nll(p)[1], best)
    try:
        cov = np.linalg.inv(hess)
        se_mu, se_log_s = (math.sqrt(v) if v > 0 else math.nan for v in np.diag(cov))
    except np.linalg.LinAlgError:  # pragma: no cover - a flat likelihood
        se_mu = se_log_s = math.nan
    mu, log_s = float(best[0]), float(best[1])
    return LognormalFit(
        median_s=math.exp(mu),
        sigma=math.exp(log_s),
        se_median_s=math.exp(mu) * se_mu,
        se_sigma=math.exp(log_s) * se_log_s,
        loglik=-nll(best)[0],
    )


def _hessian(grad: Any, p: NDArray[np.float64], h: float = 1e-5) -> NDArray[np.float64]:
    """Hessian from central differences of the gradient, symmetrised."""
    k = p.size
    out = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h
        out[i] = (grad(p + e) - grad(p - e)) / (2 * h)
    sym: NDArray[np.float64] = (out + out.T) / 2
    return sym


def _life_table(
    t: NDArray[np.float64], event: NDArray[np.bool_], width: float, horizon: float
) -> dict[str, NDArray[np.float64]]:
    """Actuarial life table: per interval, the conditional chance of the event given reaching
    its start (censored ones count half), as a rate per second."""
    edges = np.arange(0.0, horizon + width, width)
    starts = edges[:-1]
    at_start = t.size - np.searchsorted(np.sort(t), starts, side="left")
    ev = np.histogram(t[event], bins=edges)[0].astype(float)
    cens = np.histogram(t[~event], bins=edges)[0].astype(float)
    risk = at_start - cens / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(risk > 0, ev / risk, np.nan)
        se = np.where(risk > 0, np.sqrt(q * (1 - q) / risk), np.nan)
    return {
        "start_s": starts,
        "width_s": np.full(starts.size, width),
        "at_risk": risk,
        "events": ev,
        "hazard": q / width,
        "se": se / width,
    }


def fit_survival(
    durations: ArrayLike,
    events: ArrayLike,
    *,
    bin_s: float = 5.0,
    horizon_s: float | None = None,
    lognormal: bool = True,
) -> SurvivalFit:
    """Fit a right-censored duration: exponential, log-normal and Kaplan-Meier.

    Parameters
    ----------
    durations : array of float
        Observed times, seconds.
    events : array of bool
        ``True`` where the time is the event itself (a caller hung up), ``False`` where it is a
        lower bound (the caller was answered first).
    bin_s : float, default 5
        Width of the hazard intervals.
    horizon_s : float, optional
        Last hazard interval's end (default: the 98th percentile of the times, at least 120 s).
    lognormal : bool, default True
        Whether to fit the log-normal too.

    Returns
    -------
    SurvivalFit

    Examples
    --------
    Exponential patience with mean 100 s, censored by exponential waits with mean 100 s:
    half the callers are seen to hang up.

    >>> rng = np.random.default_rng(0)
    >>> patience, wait = rng.exponential(100, 4000), rng.exponential(100, 4000)
    >>> fit = fit_survival(np.minimum(patience, wait), patience < wait)
    >>> abs(fit.exponential.value - 100) < 3 * fit.exponential.se
    True
    >>> abs(fit.km_median_s - 100 * math.log(2)) < 10
    True
    """
    from scipy import stats

    t = np.asarray(durations, dtype=float).reshape(-1)
    ev = np.asarray(events, dtype=bool).reshape(-1)
    if t.shape != ev.shape:
        raise ValueError("durations and events differ in length")
    keep = np.isfinite(t) & (t >= 0)
    t, ev = t[keep], ev[keep]
    n, d = int(t.size), int(ev.sum())
    exposure = float(t.sum())
    if d:
        mean = exposure / d
        expo = Estimate(mean, mean / math.sqrt(d), n)
    else:
        expo = Estimate(math.inf if n else math.nan, math.nan, n)
    ln = _lognormal(t[ev], t[~ev]) if lognormal else None
    empty = np.zeros(0)
    km_t, km_s, km_lo, km_hi = empty, empty, empty, empty
    median = math.nan
    if d:
        res = stats.ecdf(stats.CensoredData(uncensored=t[ev], right=t[~ev]))
        sf = res.sf
        km_t, km_s = np.asarray(sf.quantiles, float), np.asarray(sf.probabilities, float)
        with warnings.catch_warnings():  # undefined where the curve reaches 0 or 1: nan there
            warnings.simplefilter("ignore", RuntimeWarning)
            band = sf.confidence_interval(0.95)
        km_lo = np.asarray(band.low.probabilities, float)
        km_hi = np.asarray(band.high.probabilities, float)
        below = np.flatnonzero(km_s <= 0.5)
        median = float(km_t[below[0]]) if below.size else math.nan
    if horizon_s is None:
        horizon_s = max(120.0, float(np.percentile(t, 98))) if n else 120.0
    horizon_s = math.ceil(horizon_s / bin_s) * bin_s
    hazard = _life_table(t, ev, bin_s, horizon_s) if n else {}
    return SurvivalFit(
        n=n,
        events=d,
        exposure_s=exposure,
        exponential=expo,
        lognormal=ln,
        km_t=km_t,
        km_s=km_s,
        km_lo=km_lo,
        km_hi=km_hi,
        km_median_s=median,
        hazard=hazard,
    )


@dataclass(frozen=True)
class DurationFit:
    """A duration seen in full (handle times): mean with its standard error, quantiles and a
    log-normal by moments of the log."""

    n: int
    mean: Estimate
    median_s: float
    p90_s: float
    sd_s: float
    lognormal_median_s: float
    lognormal_sigma: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean_s": _num(self.mean.value),
            "se": _num(self.mean.se),
            "median_s": _num(self.median_s),
            "p90_s": _num(self.p90_s),
            "sd_s": _num(self.sd_s),
            "lognormal": {
                "median_s": _num(self.lognormal_median_s),
                "sigma": _num(self.lognormal_sigma),
            },
        }


def fit_durations(values: ArrayLike) -> DurationFit:
    """Summarise fully observed durations.

    Examples
    --------
    >>> f = fit_durations([60, 120, 180, 240])
    >>> f.mean.value, round(f.mean.se, 2), f.median_s
    (150.0, 38.73, 150.0)
    """
    v = np.asarray(values, dtype=float).reshape(-1)
    v = v[np.isfinite(v) & (v >= 0)]
    n = int(v.size)
    if n == 0:
        nan = math.nan
        return DurationFit(0, Estimate(nan, nan, 0), nan, nan, nan, nan, nan)
    sd = float(v.std(ddof=1)) if n > 1 else math.nan
    logs = np.log(np.where(v > 0, v, ZERO_S))
    return DurationFit(
        n=n,
        mean=Estimate(float(v.mean()), sd / math.sqrt(n) if n > 1 else math.nan, n),
        median_s=float(np.median(v)),
        p90_s=float(np.percentile(v, 90)),
        sd_s=sd,
        lognormal_median_s=float(math.exp(logs.mean())),
        lognormal_sigma=float(logs.std(ddof=1)) if n > 1 else math.nan,
    )


def mixture_shares(
    likelihood: ArrayLike,
    counts: ArrayLike,
    *,
    start: ArrayLike | None = None,
    tol: float = 1e-10,
    max_iter: int = 20_000,
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Maximum-likelihood shares of a mixture whose component likelihoods are known.

    Each row of ``likelihood`` is one kind of observation (``counts`` of them), each column a
    component: ``P(observation | component)``. The shares ``pi`` maximise
    ``sum_s counts_s log(sum_k pi_k L_sk)``; EM finds them. Rows that no component explains
    (all zeros) must be removed first.

    Returns
    -------
    shares, se : numpy arrays
        The shares and their standard errors, from the inverse of the observed information
        (Louis 1982) over the free shares; ``nan`` where the data cannot tell components apart.
    iterations : int

    Examples
    --------
    Two components that a yes/no observation tells apart imperfectly:

    >>> lik = [[0.9, 0.2], [0.1, 0.8]]
    >>> pi, se, _ = mixture_shares(lik, [620, 380])
    >>> [round(float(p), 4) for p in pi]
    [0.6, 0.4]
    """
    lik = np.asarray(likelihood, dtype=float)
    w = np.asarray(counts, dtype=float)
    k = lik.shape[1]
    pi = np.full(k, 1.0 / k) if start is None else np.asarray(start, dtype=float).copy()
    pi = np.clip(pi, 1e-6, None)
    pi /= pi.sum()
    total = w.sum()
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is returned
        mix = lik @ pi
        post = lik * pi / mix[:, None]
        new = (w[:, None] * post).sum(axis=0) / total
        done = float(np.abs(new - pi).max()) < tol
        pi = new
        if done:
            break
    se = np.full(k, math.nan)
    if k == 1:
        return pi, np.zeros(1), it
    mix = lik @ pi
    g = (lik[:, :-1] - lik[:, -1:]) / mix[:, None]
    info = (g * w[:, None]).T @ g
    try:
        if np.linalg.cond(info) < 1e12:
            cov = np.linalg.inv(info)
            var = np.append(np.diag(cov), cov.sum())
            se = np.sqrt(np.clip(var, 0.0, None))
    except np.linalg.LinAlgError:  # pragma: no cover
        pass
    return pi, se, it
