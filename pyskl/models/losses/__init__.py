from .cross_entropy_loss import BCELossWithLogits, CrossEntropyLoss

__all__ = ['BCELossWithLogits', 'CrossEntropyLoss']
