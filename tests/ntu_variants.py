"""Noisy variants of a real NTU ``.skeleton`` file, for the body-selection
parity tests (tests/test_ntu_raw.py; the reference numbers in
tests/data/ntu_raw_reference.json were computed on these exact files).

Each variant keeps the file's own lines and adds bodies the way Kinect noise
looks in NTU RGB+D: a short extra body, an object wider than tall, a body
whose id changes when tracking is re-acquired, an empty frame."""
import re


def parse_lines(text):
    """-> list of frames, each a list of ``(info_line, joint_lines)``."""
    lines = text.splitlines()
    pos, frames = 1, []
    for _ in range(int(lines[0])):
        nb = int(lines[pos])
        pos += 1
        bodies = []
        for _ in range(nb):
            info, nj = lines[pos], int(lines[pos + 1])
            bodies.append((info, lines[pos + 2:pos + 2 + nj]))
            pos += 2 + nj
        frames.append(bodies)
    return frames


def write_lines(frames, eol='\r\n'):
    out = [str(len(frames))]
    for bodies in frames:
        out.append(str(len(bodies)))
        for info, joints in bodies:
            out += [info, str(len(joints))] + list(joints)
    return eol.join(out) + eol


def _with_id(info, body_id):
    return re.sub(r'^\S+', str(body_id), info)


def _moved(joints, fn):
    out = []
    for ln in joints:
        v = [float(x) for x in ln.split()]
        v[0], v[1], v[2] = fn(v[0], v[1], v[2])
        out.append(' '.join(f'{x:.7g}' for x in v))
    return out


def variants(text):
    """``{name: file text}`` of the noisy variants of ``text`` (a two-body file)."""
    frames = parse_lines(text)
    out = {}
    # a third body seen for 8 frames (at most length_threshold = 11): noise
    f = [list(b) for b in frames]
    for t in range(5, 13):
        info, joints = frames[t][0]
        f[t].append((_with_id(info, 999001), _moved(joints, lambda x, y, z: (x + 0.9, y, z + 0.2))))
    out['short_third_body'] = f
    # an object: 30 frames of a body spread along x (wider than tall)
    f = [list(b) for b in frames]
    for t in range(0, 30):
        info, joints = frames[t][1]
        f[t].insert(0, (_with_id(info, 999002),
                        _moved(joints, lambda x, y, z: (3 * y + 1.5, 0.1 * x, z + 0.5))))
    out['wide_object'] = f
    # the second person's id changes at frame 20 (tracking re-acquired), and
    # frame 30 holds no body at all
    f = [list(b) for b in frames]
    for t in range(20, len(frames)):
        info, joints = f[t][1]
        f[t][1] = (_with_id(info, 999003), joints)
    f[30] = []
    out['id_switch_and_empty_frame'] = f
    return {k: write_lines(v) for k, v in out.items()}
