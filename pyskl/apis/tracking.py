"""Associate per-frame poses into person tracks.

Each frame's detections are matched to the live tracks by an optimal
assignment (Hungarian algorithm, ``scipy.optimize.linear_sum_assignment``)
on a similarity that mixes box IoU and OKS-style keypoint similarity,
both computed against each track's *predicted* pose (last pose + its
constant-velocity motion over the gap), so that people who cross keep
their identities while their motion is steady.

A detection left unmatched by that assignment (its similarity to every
free track below ``min_similarity``: a person whose pose changed shape
abruptly, bending over or jumping) is then given to a track that got no
detection in this frame if their centres are close -- within
``center_dist`` x the person's size (the larger side of either pose's box) --
nearest first, before it may start
a new track (a second association stage, as ByteTrack does for its
low-score boxes).

Limits (documented in docs/demo.md): identities can swap when two people
overlap *and* change direction while overlapping, or when a person is
missed for longer than ``max_age`` frames (they come back as a new track);
there is no appearance model.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np
from scipy.optimize import linear_sum_assignment

from pyskl.structures import PoseResult, box_iou, keypoint_boxes


@dataclass
class Track:
    """One person's history: frame index -> (keypoint (V, 2), score (V,))."""
    track_id: int
    frames: Dict[int, Tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    last_frame: int = -1
    velocity: np.ndarray = None       # (2,) px per frame, mean joint motion

    def predict(self, frame_idx: int) -> Tuple[np.ndarray, np.ndarray]:
        """Pose expected at ``frame_idx`` (constant velocity)."""
        kp, sc = self.frames[self.last_frame]
        if self.velocity is None:
            return kp, sc
        return kp + self.velocity * (frame_idx - self.last_frame), sc

    def add(self, frame_idx: int, kp: np.ndarray, sc: np.ndarray, thr: float) -> None:
        """Append a pose (V, 2) / (V,) and update the velocity from the joints
        seen (score > ``thr``) in this and the previous pose."""
        if self.last_frame >= 0:
            prev_kp, prev_sc = self.frames[self.last_frame]
            both = (prev_sc > thr) & (sc > thr)
            if both.any():
                step = (kp[both] - prev_kp[both]).mean(0) / (frame_idx - self.last_frame)
                self.velocity = step if self.velocity is None else 0.5 * (self.velocity + step)
        self.frames[frame_idx] = (kp, sc)
        self.last_frame = frame_idx


def keypoint_similarity(kp_a: np.ndarray, sc_a: np.ndarray, kp_b: np.ndarray,
                        sc_b: np.ndarray, thr: float = 0.05, kappa: float = 0.1) -> np.ndarray:
    """OKS-style similarity matrix (A, B) in [0, 1]: the mean over joints
    seen in both poses of ``exp(-d^2 / (2 (kappa * s)^2))``, ``s`` = the
    square root of the area of pose a's keypoint box (pixels). 0 when no
    joint is seen in both.

    Args: kp_a (A, V, 2), sc_a (A, V), kp_b (B, V, 2), sc_b (B, V).
    """
    box = keypoint_boxes(kp_a, sc_a, thr)
    s = np.sqrt(np.maximum((box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1]), 1.0))
    d2 = ((kp_a[:, None] - kp_b[None]) ** 2).sum(-1)                     # (A, B, V)
    both = (sc_a[:, None] > thr) & (sc_b[None] > thr)
    e = np.exp(-d2 / (2 * (kappa * s[:, None, None]) ** 2)) * both
    n = both.sum(-1)
    return np.where(n > 0, e.sum(-1) / np.maximum(n, 1), 0.0)


class PoseTracker:
    """Online multi-person tracker over per-frame :class:`PoseResult` s.

    Args:
        max_age: a track not matched for more than this many frames is
            closed (a person who comes back later starts a new track).
        min_similarity: a detection joins a track only if their similarity
            is at least this; otherwise it starts a new track.
        iou_weight: similarity = ``iou_weight * IoU + (1 - iou_weight) * OKS``.
        score_thr: keypoints at or below it count as missing.
        center_dist: the second stage (module docstring): an unmatched
            detection joins an unmatched track whose predicted pose is
            centred within this many person sizes (0: off).

    Call :meth:`update` once per frame (empty results included: frames with
    no person are fine), then :meth:`arrays` for the (M, T, V, 2) clip.
    """

    def __init__(self, max_age: int = 15, min_similarity: float = 0.1,
                 iou_weight: float = 0.5, score_thr: float = 0.05, center_dist: float = 0.5):
        self.max_age, self.min_similarity = max_age, min_similarity
        self.iou_weight, self.score_thr = iou_weight, score_thr
        self.center_dist = center_dist
        self.tracks: List[Track] = []
        self.num_frames = 0

    def _live(self, frame_idx: int) -> List[Track]:
        return [t for t in self.tracks if frame_idx - t.last_frame <= self.max_age]

    def similarity(self, tracks: List[Track], frame_idx: int, det: PoseResult) -> np.ndarray:
        """(len(tracks), len(det)) similarity of predicted track poses and
        the detections."""
        pred = [t.predict(frame_idx) for t in tracks]
        kp = np.stack([p[0] for p in pred])
        sc = np.stack([p[1] for p in pred])
        iou = box_iou(keypoint_boxes(kp, sc, self.score_thr), det.bbox)
        oks = keypoint_similarity(kp, sc, det.keypoint, det.keypoint_score, self.score_thr)
        return self.iou_weight * iou + (1 - self.iou_weight) * oks

    def update(self, det: PoseResult, frame_idx: Optional[int] = None) -> List[int]:
        """Add one frame's detections; returns the track id of each.

        Raises:
            ValueError: frame indices not increasing.
        """
        frame_idx = self.num_frames if frame_idx is None else int(frame_idx)
        if frame_idx < self.num_frames:
            raise ValueError(f'PoseTracker.update: frame {frame_idx} is not after the frames '
                             'already seen')
        self.num_frames = frame_idx + 1
        ids = [-1] * len(det)
        live = self._live(frame_idx)
        if live and len(det):
            sim = self.similarity(live, frame_idx, det)
            rows, cols = linear_sum_assignment(-sim)
            used = set()
            for r, c in zip(rows, cols):
                if sim[r, c] >= self.min_similarity:
                    live[r].add(frame_idx, det.keypoint[c], det.keypoint_score[c],
                                self.score_thr)
                    ids[c] = live[r].track_id
                    used.add(r)
            free_t = [r for r in range(len(live)) if r not in used]
            free_d = [c for c in range(len(det)) if ids[c] < 0]
            if self.center_dist > 0 and free_t and free_d:
                self._match_centres([live[r] for r in free_t], frame_idx, det, free_d, ids)
        for c in range(len(det)):
            if ids[c] < 0:
                track = Track(track_id=len(self.tracks))
                track.add(frame_idx, det.keypoint[c], det.keypoint_score[c], self.score_thr)
                self.tracks.append(track)
                ids[c] = track.track_id
        return ids

    def _match_centres(self, tracks: List[Track], frame_idx: int, det: PoseResult,
                       cols: List[int], ids: List[int]) -> None:
        """The second stage: detections ``cols`` (unmatched) to ``tracks`` (no
        detection this frame) by the distance of keypoint-box centres, in
        person sizes, nearest first (Hungarian), if under ``center_dist``."""
        pred = [t.predict(frame_idx) for t in tracks]
        tb = keypoint_boxes(np.stack([p[0] for p in pred]), np.stack([p[1] for p in pred]),
                            self.score_thr)
        db = keypoint_boxes(det.keypoint[cols], det.keypoint_score[cols], self.score_thr)
        tc, dc = (tb[:, :2] + tb[:, 2:]) / 2, (db[:, :2] + db[:, 2:]) / 2
        # a person's size whatever their posture (a bent person is wider than tall):
        # the larger side of either box
        ts, ds = (tb[:, 2:] - tb[:, :2]).max(1), (db[:, 2:] - db[:, :2]).max(1)
        size = np.maximum(np.maximum(ts[:, None], ds[None]), 1.0)
        dist = np.linalg.norm(tc[:, None] - dc[None], axis=-1) / size                # (T, D)
        rows, cs = linear_sum_assignment(dist)
        for r, c in zip(rows, cs):
            if dist[r, c] < self.center_dist:
                j = cols[c]
                tracks[r].add(frame_idx, det.keypoint[j], det.keypoint_score[j], self.score_thr)
                ids[j] = tracks[r].track_id

    def forget_before(self, frame_idx: int) -> None:
        """Drop history before ``frame_idx`` (bounded memory for streams)."""
        for t in self.tracks:
            for f in [f for f in t.frames if f < frame_idx and f != t.last_frame]:
                del t.frames[f]
        self.tracks = [t for t in self.tracks
                       if t.frames and (t.last_frame >= frame_idx or
                                        frame_idx - t.last_frame <= self.max_age)]

    def arrays(self, start: int = 0, end: Optional[int] = None, max_person: Optional[int] = None,
               num_keypoints: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray, List[int]]:
        """The tracks on frames [start, end) as a clip.

        Tracks are ordered by their summed keypoint score inside the range
        (most visible person first) and cut to ``max_person``. Frames where
        a track has no pose are zeros (score 0).

        Returns:
            ``keypoint (M, T, V, 2) float32, keypoint_score (M, T, V)
            float32, track_ids (M,)``; M is at least 1 (an all-zero person
            when no track has a pose in the range).
        """
        end = self.num_frames if end is None else end
        T = max(end - start, 0)
        inside = []
        for t in self.tracks:
            fs = [f for f in t.frames if start <= f < end]
            if fs:
                inside.append((sum(float(t.frames[f][1].sum()) for f in fs), t, fs))
        inside.sort(key=lambda x: -x[0])
        if max_person is not None:
            inside = inside[:max_person]
        if num_keypoints is None:
            num_keypoints = (next(iter(inside[0][1].frames.values()))[0].shape[0]
                             if inside else 17)
        M = max(len(inside), 1)
        kp = np.zeros((M, T, num_keypoints, 2), np.float32)
        sc = np.zeros((M, T, num_keypoints), np.float32)
        for m, (_, t, fs) in enumerate(inside):
            for f in fs:
                kp[m, f - start], sc[m, f - start] = t.frames[f]
        return kp, sc, [t.track_id for _, t, _ in inside]


def track_poses(results: List[PoseResult], max_person: Optional[int] = None,
                **tracker_kwargs) -> Tuple[np.ndarray, np.ndarray]:
    """Track a whole video's per-frame results; ``(keypoint (M, T, V, 2),
    keypoint_score (M, T, V))``. See :class:`PoseTracker`."""
    tracker = PoseTracker(**tracker_kwargs)
    for r in results:
        tracker.update(r)
    V = results[0].keypoint.shape[1] if results else 17
    kp, sc, _ = tracker.arrays(max_person=max_person, num_keypoints=V)
    return kp, sc
