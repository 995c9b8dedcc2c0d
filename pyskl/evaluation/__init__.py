from .functional import mean_class_accuracy, top_k_accuracy
from .metrics import AccMetric

__all__ = ['AccMetric', 'top_k_accuracy', 'mean_class_accuracy']
