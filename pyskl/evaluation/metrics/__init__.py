from .acc_metric import AccMetric
from .dump_features import DumpFeatures
from .dump_results import DumpResults

__all__ = ['AccMetric', 'DumpFeatures', 'DumpResults']
