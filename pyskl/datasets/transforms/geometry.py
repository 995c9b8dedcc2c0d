"""Spatial transforms for heatmap pipelines: ``PoseCompact``, ``Resize``,
``RandomResizedCrop``, ``CenterCrop``.

Coordinate convention (all pyskl transforms): a keypoint ``(x, y)`` is in
pixel-index coordinates of the current ``img_shape`` -- pixel ``(row i,
column j)`` is centred on ``(x=j, y=i)``, which is where ``GeneratePoseTarget``
draws it. Crops shift by integers, so keypoints and images move together
exactly. ``Resize`` scales ``x -> x * sx`` by default, as PYSKL / MMAction2 do,
so their checkpoints see the inputs they were trained on; this drifts by
``0.5 (sx - 1)`` pixels from the resized image. ``Resize(pixel_center=True)``
maps ``x -> (x + 0.5) * sx - 0.5`` instead, the half-pixel-centre mapping of
OpenCV's image resize, so a keypoint on a pixel stays on the resized pixel.

Images, when present, are ``imgs``: a list of (H, W, C) arrays or one
(T, H, W, C) array, transformed with mmcv.
"""
from __future__ import annotations

from typing import Dict, Sequence, Tuple, Union

import mmcv
import numpy as np

from pyskl.registry import TRANSFORMS
from pyskl.utils.compat import ignore_compat_args
from .base import PoseTransform


def _pair(x) -> Tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x, x)


def combine_quadruple(a: Sequence[float], b: Sequence[float]) -> Tuple[float, ...]:
    """Compose relative crops ``(x, y, w, h)``: crop ``b`` taken inside crop ``a``."""
    return (a[0] + a[2] * b[0], a[1] + a[3] * b[1], a[2] * b[2], a[3] * b[3])


def _crop(results: Dict, x0: int, y0: int, w: int, h: int) -> None:
    """Crop the box ``[x0, x0 + w) x [y0, y0 + h)`` (may extend beyond the
    image: images are zero padded) from keypoints and images."""
    H, W = results['img_shape']
    if 'keypoint' in results:
        kp = results['keypoint'].astype(np.float32)
        kp[..., 0] -= x0
        kp[..., 1] -= y0
        results['keypoint'] = kp
    if 'imgs' in results:
        imgs = results['imgs']
        def crop_one(img):
            if 0 <= x0 and 0 <= y0 and x0 + w <= W and y0 + h <= H:
                return img[y0:y0 + h, x0:x0 + w]
            out = np.zeros((h, w) + img.shape[2:], dtype=img.dtype)
            sx, sy = max(x0, 0), max(y0, 0)
            ex, ey = min(x0 + w, W), min(y0 + h, H)
            if ex > sx and ey > sy:
                out[sy - y0:ey - y0, sx - x0:ex - x0] = img[sy:ey, sx:ex]
            return out
        results['imgs'] = [crop_one(img) for img in imgs]
    quad = results.get('crop_quadruple', (0., 0., 1., 1.))
    results['crop_quadruple'] = combine_quadruple(quad, (x0 / W, y0 / H, w / W, h / H))
    results['img_shape'] = (h, w)


class _CropTransform(PoseTransform):
    """Base of the crops (``_crop``): the result keys they all declare."""
    required_keys = ('img_shape',)
    optional_keys = ('keypoint', 'imgs', 'crop_quadruple')
    modified_keys = ('keypoint', 'imgs', 'img_shape', 'crop_quadruple')
    added_keys = ('crop_quadruple',)


@TRANSFORMS.register_module()
class PoseCompact(_CropTransform):
    """Crop every frame to the box that holds all keypoints of the clip, so
    the skeleton fills the heatmap. Source: PoseC3D (Duan et al., CVPR 2022),
    "subjects-centered cropping"; reference design PYSKL/MMAction2
    ``PoseCompact``.

    The box of all present joints (a joint at exactly (0, 0) or non-finite is
    missing) is grown by ``padding`` on each side, then to the aspect ratio
    ``hw_ratio`` (h/w) and cropped; with ``allow_imgpad=False`` it is
    clipped to the image. Boxes narrower or lower than ``threshold`` pixels
    leave the sample unchanged. Missing joints stay at (0, 0) (NaN becomes 0).

    Args:
        padding: relative growth of the box on each side.
        threshold: minimal box side in pixels.
        hw_ratio: float or (h/w, w/h)-style pair as PYSKL: ``half_h >=
            hw_ratio[0] * half_w`` and ``half_w >= half_h / hw_ratio[1]``.
        allow_imgpad: let the box extend beyond the image.

    Required keys: ``keypoint`` (M, T, V, C) pixels, ``img_shape``.
    Optional keys: ``imgs``, ``crop_quadruple``.
    Modified keys: ``keypoint``, ``img_shape``, ``imgs``; added/modified
    ``crop_quadruple`` (x, y, w, h) relative to the original frame.
    """

    required_keys = ('keypoint', 'img_shape')

    def __init__(self, padding: float = 0.25, threshold: float = 10,
                 hw_ratio: Union[None, float, Sequence[float]] = None, allow_imgpad: bool = True):
        self.padding = padding
        self.threshold = threshold
        self.hw_ratio = None if hw_ratio is None else _pair(hw_ratio)
        self.allow_imgpad = allow_imgpad

    def transform(self, results: Dict) -> Dict:
        H, W = results['img_shape']
        kp = results['keypoint'].astype(np.float32)
        kp[~np.isfinite(kp)] = 0
        results['keypoint'] = kp
        xy = kp[..., :2].reshape(-1, 2)
        present = xy[(xy != 0).any(axis=1)]
        if len(present) == 0:
            return results
        (x1, y1), (x2, y2) = present.min(axis=0), present.max(axis=0)
        if x2 - x1 < self.threshold or y2 - y1 < self.threshold:
            return results
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        hw = (x2 - x1) / 2 * (1 + self.padding)
        hh = (y2 - y1) / 2 * (1 + self.padding)
        if self.hw_ratio is not None:
            hh = max(self.hw_ratio[0] * hw, hh)
            hw = max(hh / self.hw_ratio[1], hw)
        x1, x2, y1, y2 = cx - hw, cx + hw, cy - hh, cy + hh
        if not self.allow_imgpad:
            x1, y1, x2, y2 = max(0, x1), max(0, y1), min(W, x2), min(H, y2)
        x1, y1, x2, y2 = int(x1), int(y1), int(x2), int(y2)
        missing = ~(kp[..., :2] != 0).any(axis=-1)
        _crop(results, x1, y1, x2 - x1, y2 - y1)
        results['keypoint'][missing] = 0
        return results


@TRANSFORMS.register_module()
class Resize(PoseTransform):
    """Resize keypoints (and images) to a new ``img_shape``.

    Args:
        scale: a float factor, or ``(w, h)``. With ``keep_ratio=True`` a
            tuple is a bound as in mmcv ``rescale_size``: ``(-1, 64)`` (or
            ``(64, -1)``) makes the short side 64.
        keep_ratio: keep the aspect ratio.
        interpolation: mmcv interpolation for images.
        pixel_center: scale keypoints with the half-pixel-centre rule
            (module docstring) instead of the reference's ``x * sx``.
        lazy: MMAction2's lazy mode, accepted; ``True`` is ignored with a warning.

    Required keys: ``img_shape``. Optional keys: ``keypoint``, ``imgs``,
    ``scale_factor``.
    Modified keys: ``keypoint``, ``imgs``, ``img_shape``; added/modified
    ``scale_factor`` (sx, sy) (cumulative), ``keep_ratio``.

    Raises:
        ValueError: non-positive scale.
    """

    required_keys = ('img_shape',)
    optional_keys = ('keypoint', 'imgs', 'scale_factor')
    modified_keys = ('keypoint', 'imgs', 'img_shape', 'scale_factor')
    added_keys = ('keep_ratio', 'scale_factor')

    def __init__(self, scale: Union[float, Sequence[int]], keep_ratio: bool = True,
                 interpolation: str = 'bilinear', pixel_center: bool = False,
                 lazy: bool = False):
        ignore_compat_args('Resize', dict(lazy=lazy), dict(lazy=False))
        if isinstance(scale, (int, float)):
            if scale <= 0:
                raise ValueError(f'Resize: scale must be positive, got {scale}')
        else:
            scale = tuple(scale)
            if keep_ratio and min(scale) == -1:
                scale = (np.inf, max(scale))
            elif min(scale) <= 0:
                raise ValueError(f'Resize: scale entries must be positive, got {scale}')
        self.scale = scale
        self.keep_ratio = keep_ratio
        self.interpolation = interpolation
        self.pixel_center = pixel_center

    def _resize_img(self, img: np.ndarray, w: int, h: int) -> np.ndarray:
        out = mmcv.imresize(img, (w, h), interpolation=self.interpolation)
        return out.reshape((h, w) + img.shape[2:])       # OpenCV drops a single channel

    def transform(self, results: Dict) -> Dict:
        h, w = results['img_shape']
        if self.keep_ratio:
            new_w, new_h = mmcv.rescale_size((w, h), self.scale)
        elif isinstance(self.scale, tuple):
            new_w, new_h = self.scale
        else:
            new_w, new_h = int(w * self.scale + 0.5), int(h * self.scale + 0.5)
        sx, sy = new_w / w, new_h / h
        if 'keypoint' in results:
            kp = results['keypoint'].astype(np.float32)
            if self.pixel_center:
                kp[..., 0] = (kp[..., 0] + 0.5) * sx - 0.5
                kp[..., 1] = (kp[..., 1] + 0.5) * sy - 0.5
            else:
                kp[..., 0] *= sx
                kp[..., 1] *= sy
            results['keypoint'] = kp
        if 'imgs' in results:
            results['imgs'] = [self._resize_img(img, new_w, new_h) for img in results['imgs']]
        factor = np.array([sx, sy], dtype=np.float32)
        results['scale_factor'] = results.get('scale_factor', np.ones(2, np.float32)) * factor
        results['img_shape'] = (new_h, new_w)
        results['keep_ratio'] = self.keep_ratio
        return results


@TRANSFORMS.register_module()
class RandomResizedCrop(_CropTransform):
    """Crop a random box of random area and aspect ratio (Inception-style,
    reference design MMAction2 ``RandomResizedCrop``); up to 10 tries, then a
    centred square of the short side.

    Args:
        area_range: (min, max) fraction of the image area.
        aspect_ratio_range: (min, max) of w/h, sampled log-uniformly.
        lazy: MMAction2's lazy mode, accepted; ``True`` is ignored with a warning.

    Required keys: ``img_shape``. Optional keys: ``keypoint``, ``imgs``,
    ``crop_quadruple``. Modified keys: ``keypoint``, ``imgs``,
    ``img_shape``, ``crop_quadruple``.
    """

    def __init__(self, area_range: Tuple[float, float] = (0.08, 1.0),
                 aspect_ratio_range: Tuple[float, float] = (3 / 4, 4 / 3), lazy: bool = False):
        ignore_compat_args('RandomResizedCrop', dict(lazy=lazy), dict(lazy=False))
        if not (0 < area_range[0] <= area_range[1] <= 1):
            raise ValueError(f'RandomResizedCrop: area_range must be in (0, 1], got {area_range}')
        self.area_range = tuple(area_range)
        self.aspect_ratio_range = tuple(aspect_ratio_range)

    def transform(self, results: Dict) -> Dict:
        h, w = results['img_shape']
        area = h * w
        lo, hi = np.log(self.aspect_ratio_range[0]), np.log(self.aspect_ratio_range[1])
        for _ in range(10):
            target = np.random.uniform(*self.area_range) * area
            ratio = np.exp(np.random.uniform(lo, hi))
            cw, ch = int(round(np.sqrt(target * ratio))), int(round(np.sqrt(target / ratio)))
            if 0 < cw <= w and 0 < ch <= h:
                x0, y0 = np.random.randint(0, w - cw + 1), np.random.randint(0, h - ch + 1)
                _crop(results, int(x0), int(y0), cw, ch)
                return results
        s = min(h, w)
        _crop(results, (w - s) // 2, (h - s) // 2, s, s)
        return results


@TRANSFORMS.register_module()
class CenterCrop(_CropTransform):
    """Crop the centre ``crop_size`` (int or (w, h)) box (``lazy`` is accepted
    for MMAction2 config compatibility; ``True`` is ignored with a warning).

    Required keys: ``img_shape``. Optional keys: ``keypoint``, ``imgs``,
    ``crop_quadruple``. Modified keys: ``keypoint``, ``imgs``,
    ``img_shape``, ``crop_quadruple``.
    """

    def __init__(self, crop_size: Union[int, Tuple[int, int]], lazy: bool = False):
        ignore_compat_args('CenterCrop', dict(lazy=lazy), dict(lazy=False))
        self.crop_size = _pair(crop_size)

    def transform(self, results: Dict) -> Dict:
        h, w = results['img_shape']
        cw, ch = self.crop_size
        _crop(results, (w - cw) // 2, (h - ch) // 2, cw, ch)
        return results
