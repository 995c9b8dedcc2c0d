"""Reading and writing the media the toolbox meets (videos)."""
from .video import VideoReadError, VideoSink, VideoSource, num_frames, read_frames

__all__ = ['VideoReadError', 'VideoSink', 'VideoSource', 'num_frames', 'read_frames']
