from .action_data_preprocessor import ActionDataPreprocessor

__all__ = ['ActionDataPreprocessor']
