"""The files the toolbox reads and writes: videos, data pickles (read without
running code), outputs (checked first, written atomically)."""
from .output import (OutputPathError, atomic_write, check_output_path, dump_pickle, save_figure,
                     write_dataset)
from .safe_pickle import TRUST_ENV, UnsafePickleError, load_data, loads_data
from .video import VideoReadError, VideoSink, VideoSource, num_frames, read_frames

__all__ = ['OutputPathError', 'TRUST_ENV', 'UnsafePickleError', 'VideoReadError', 'VideoSink',
           'VideoSource', 'atomic_write', 'check_output_path', 'dump_pickle', 'load_data',
           'loads_data', 'num_frames', 'read_frames', 'save_figure', 'write_dataset']
