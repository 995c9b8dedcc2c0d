from .acc_metric import AccMetric

__all__ = ['AccMetric']
