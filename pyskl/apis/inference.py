"""Run a trained recognizer on skeletons that do not come from a dataset file.

``init_recognizer`` builds a model from a config and a checkpoint;
``inference_recognizer`` runs the config's test pipeline on one sample dict
(the annotation format: ``keypoint``, ``keypoint_score``, ``img_shape``,
``total_frames``) and returns class scores. ``prepare_skeleton`` converts
COCO-17 / hand keypoints into the layout a config was trained on, and
``sliding_windows`` splits a long video into labelled windows.
"""
from __future__ import annotations

import copy
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate

from pyskl.engine.checkpoint import load_checked, load_weights_file
from pyskl.engine.config import load_config
from pyskl.registry import MODELS
from pyskl.skeleton.mapping import JHMDB_IMG_SHAPE, coco_to_jhmdb


def _load_config(config: Union[str, Config]) -> Config:
    return load_config(config) if isinstance(config, str) else copy.deepcopy(config)


def init_recognizer(config: Union[str, Config], checkpoint: Optional[str] = None,
                    device: Union[str, torch.device] = 'cpu') -> torch.nn.Module:
    """Build ``config``'s model, load ``checkpoint`` and put it in eval mode.

    The checkpoint must match the model exactly (PYSKL and this project's
    checkpoints do; MMAction2 names are this project's names). A ``.onnx``
    file (``tools/deployment/export_onnx.py``) gives an
    :class:`~pyskl.apis.onnx_recognizer.OnnxRecognizer` run by onnxruntime
    (``device`` is ignored: CPU).

    Raises:
        FileNotFoundError: missing checkpoint.
        RuntimeError: the checkpoint's weights do not fit the model (lists
            the missing, unexpected and mis-shaped keys).
    """
    from pyskl.utils import register_all_modules
    register_all_modules()
    cfg = _load_config(config)
    if checkpoint is not None and str(checkpoint).endswith('.onnx'):
        from .onnx_recognizer import OnnxRecognizer
        return OnnxRecognizer(checkpoint, cfg)
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        load_checked(model, load_weights_file(checkpoint, map_location='cpu'),
                     source=f'checkpoint {checkpoint}')
    model.cfg = cfg
    return model.to(device).eval()


def get_test_pipeline(cfg: Config) -> Sequence[Dict]:
    """The config's test pipeline (``test_pipeline``, else the test
    dataloader's).

    Raises:
        KeyError: the config has neither.
    """
    if cfg.get('test_pipeline') is not None:
        return cfg.test_pipeline
    try:
        return cfg.test_dataloader.dataset.pipeline
    except AttributeError:
        raise KeyError('config has no test_pipeline nor test_dataloader.dataset.pipeline')


def config_layout(cfg: Config) -> str:
    """The skeleton layout a config's model expects: the backbone's
    ``graph_cfg.layout``, else a ``layout`` / ``dataset`` argument of the
    test pipeline (``GeneratePoseTarget``, ``GenSkeFeat``, ``Flip``), else
    the config variable ``layout``, else ``'coco'``."""
    graph = cfg.model.get('backbone', {}).get('graph_cfg') or {}
    if 'layout' in graph:
        return graph['layout']
    for t in get_test_pipeline(cfg):
        for key in ('layout', 'dataset'):
            if isinstance(t.get(key), str):
                return t[key]
    return cfg.get('layout', 'coco')


def prepare_skeleton(keypoint: np.ndarray, keypoint_score: np.ndarray,
                     img_shape: Tuple[int, int], source_layout: str, target_layout: str
                     ) -> Dict:
    """Turn tracked poses into a sample for a model trained on ``target_layout``.

    ``coco -> coco`` keeps the pixels; ``coco -> jhmdb`` maps the joints
    and the clip into the frame of this project's JHMDB annotations
    (:func:`pyskl.skeleton.mapping.coco_to_jhmdb`); ``handmp -> handmp``
    gives hands as MediaPipe Hands does, x / w and y / h in [0, 1] with no
    score channel -- the input of PYSKL's HaGRID gesture model (2 channels).

    Args:
        keypoint: (M, T, V, 2) pixels. keypoint_score: (M, T, V).
        img_shape: (h, w) of the frames the pixels refer to.

    Returns:
        A sample dict: ``keypoint``, ``keypoint_score``, ``total_frames``,
        ``img_shape``, ``original_shape``, ``frame_dir``, ``label`` (-1).

    Raises:
        ValueError: no mapping from ``source_layout`` to ``target_layout``.
    """
    if source_layout == target_layout == 'handmp':
        h, w = img_shape
        kp = (keypoint / np.array([w, h], np.float32)).astype(np.float32)
        return dict(keypoint=kp, total_frames=kp.shape[1], img_shape=(1, 1),
                    original_shape=(1, 1), frame_dir='demo', label=-1, start_index=0,
                    modality='Pose')
    if source_layout == target_layout:
        kp, sc, shape = keypoint.astype(np.float32), keypoint_score.astype(np.float32), img_shape
    elif (source_layout, target_layout) == ('coco', 'jhmdb'):
        kp, sc = coco_to_jhmdb(keypoint, keypoint_score)
        shape = JHMDB_IMG_SHAPE
    else:
        raise ValueError(f'no keypoint mapping from layout {source_layout!r} to '
                         f'{target_layout!r} (known: same layout, coco -> jhmdb)')
    return dict(keypoint=kp, keypoint_score=sc, total_frames=kp.shape[1],
                img_shape=tuple(int(x) for x in shape),
                original_shape=tuple(int(x) for x in shape), frame_dir='demo', label=-1,
                start_index=0, modality='Pose')


def inference_recognizer(model: torch.nn.Module, sample: Dict,
                         pipeline: Optional[Compose] = None) -> np.ndarray:
    """Class scores (num_classes,) float32 of one sample under the model's
    test pipeline (multi-clip averaging as the config says). A model with one
    score per modality (RGBPoseConv3D) gives their 1:1 mean. For a config whose
    pipeline reads video frames (``MMDecode``), the sample needs ``filename``
    (and ``offset`` when it is a window of the video).

    Raises:
        ValueError: a sample without frames.
    """
    return inference_recognizer_batch(model, [sample], pipeline)[0]


def inference_recognizer_batch(model: torch.nn.Module, samples: Sequence[Dict],
                               pipeline: Optional[Compose] = None) -> np.ndarray:
    """Class scores (B, num_classes) float32 of several samples (the persons of
    one window), each through the model's test pipeline, in one forward.

    Raises:
        ValueError: no sample, or a sample without frames.
    """
    if not samples:
        raise ValueError('inference_recognizer_batch: no sample')
    if any(int(s.get('total_frames', 0)) < 1 for s in samples):
        raise ValueError('inference_recognizer: the sample has no frames')
    if pipeline is None:
        pipeline = Compose(get_test_pipeline(model.cfg))
    data = pseudo_collate([pipeline(copy.deepcopy(s)) for s in samples])
    with torch.no_grad():
        outs = model.test_step(data)
    scores = []
    for out in outs:
        score = out.pred_score
        if isinstance(score, dict):     # RGBPoseConv3D: one score per modality, fused 1:1
            score = score['fused'] if 'fused' in score else sum(score.values()) / len(score)
        scores.append(score.detach().cpu().float().numpy())
    return np.stack(scores)


def sliding_windows(num_frames: int, window: Optional[int], stride: Optional[int] = None
                    ) -> List[Tuple[int, int]]:
    """Split frames [0, num_frames) into windows ``(start, end)``.

    Windows are ``window`` frames long, start every ``stride`` frames
    (default: ``window``, no overlap), and the last one is moved back to end
    at ``num_frames`` so that every frame is covered by a full window.
    ``window`` None or >= ``num_frames``: one window, the whole video.

    Raises:
        ValueError: ``window`` or ``stride`` < 1, or ``num_frames`` < 1.
    """
    if num_frames < 1:
        raise ValueError('sliding_windows: the video has no frames')
    if window is None or window >= num_frames:
        return [(0, num_frames)]
    stride = window if stride is None else stride
    if window < 1 or stride < 1:
        raise ValueError(f'sliding_windows: window and stride must be >= 1, got {window}, '
                         f'{stride}')
    starts = list(range(0, num_frames - window + 1, stride))
    if starts[-1] + window < num_frames:
        starts.append(num_frames - window)
    return [(s, s + window) for s in starts]


def load_label_map(path: str) -> List[str]:
    """Class names, one a line (line index = label).

    Raises:
        FileNotFoundError: no such file. ValueError: empty file.
    """
    with open(path) as f:
        names = [line.strip() for line in f if line.strip()]
    if not names:
        raise ValueError(f'label map {path!r} is empty')
    return names
