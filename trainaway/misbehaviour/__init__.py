"""Track A: when we catch a model misbehaving k times and train against those k examples, does
the misbehaviour go away in general, or only on examples like the ones we caught?

    the world    tasks, questions, responses, persona, world, sets (eval sets as data)
    reading it   detect, scoring, attitudes, behaviours (detector + corrector plugins)
    the protocol collect, augment, check (integrity), evaluation (the suite), sweep (one cell)
    the answer   analysis (k50, gaps, organism targets), metrics, sections, figures, probes,
                 probe_report, report (this track's part of REPORT.md)
    plumbing     params (the `misbehaviour` section), layout (paths), stage (entry)

Importing the package registers its item kinds ("task", "question").
"""
from trainaway.misbehaviour import questions, tasks  # noqa: F401  (item kinds register)
