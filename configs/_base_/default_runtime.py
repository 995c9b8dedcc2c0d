# Runtime shared by every config: hooks, environment, logging. No model, data or schedule.
default_scope = 'pyskl'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=100, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=1, save_best='auto', max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'),
    check_invalid_loss=dict(type='CheckInvalidLossHook', interval=1),
    # each epoch's randomness from (seed, epoch, rank, worker): --resume replays exactly
    epoch_seed=dict(type='EpochSeedHook'))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
# Logged scalars go to WORK_DIR/<timestamp>/vis_data/scalars.json (LocalVisBackend); for
# TensorBoard event files there too (pip install tensorboard):
#   --cfg-options "visualizer.vis_backends=[dict(type='LocalVisBackend'),dict(type='TensorboardVisBackend')]"
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')])
log_level = 'INFO'
load_from = None
resume = False
