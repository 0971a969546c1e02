"""``rda eval``: grade a skill's generations by executing them, in skill-creator's files.

The workspace, ``grading.json``, ``timing.json`` and ``benchmark.json`` follow Anthropic's
skill-creator (``references/schemas.md``) so its viewer and scripts read ours; the grading is
``rda verify`` run on each output, not a model's judgement. Layers, bottom up:

- ``expectations``: the ``checks``/``verify`` keys of ``evals.json`` and how a check is graded;
- ``evalset``, ``workspace``, ``timing``: reading the skill's evals, the runs and their times;
- ``outcome``, ``verifying``, ``cluster``: verifying runs here (threads) or on a Dask cluster;
- ``grading``, ``stats``, ``benchmark``, ``benchmark_md``, ``benchmark_html``, ``shards``: the
  files written from the outcomes;
- ``agent``: ``rda eval run``, producing the outputs with an agent command first;
- ``evaluate``: the whole ``rda eval`` from a workspace to its benchmark.
"""
