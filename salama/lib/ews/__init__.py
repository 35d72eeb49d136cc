"""Early-warning detection for weekly counts (issue 14 section 2). Plain Python, no Django."""

from .bayes import beta_binomial, cold_start
from .cusum import nb_cusum_pvalue, nb_window_pvalue
from .detect import detect, predict
from .ears import c1, c2, c3
from .farrington import farrington, noufaily, rolling_nb
from .scan import Cluster, space_time_scan
from .types import Prediction, WeekScore

__all__ = [
    "Cluster",
    "Prediction",
    "WeekScore",
    "beta_binomial",
    "c1",
    "c2",
    "c3",
    "cold_start",
    "detect",
    "farrington",
    "nb_cusum_pvalue",
    "nb_window_pvalue",
    "noufaily",
    "predict",
    "rolling_nb",
    "space_time_scan",
]
