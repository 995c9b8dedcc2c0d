from .action_data_preprocessor import ActionDataPreprocessor, MultiModalDataPreprocessor

__all__ = ['ActionDataPreprocessor', 'MultiModalDataPreprocessor']
