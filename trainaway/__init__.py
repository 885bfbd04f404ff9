"""trainaway: does training against caught examples remove a behaviour, or only its instances?

    core/          the shared library: models, generation, training methods, the organism
                   builder, records, statistics, probes, report helpers. It names no behaviour.
    sandbox/       runs model-written code, and nothing else does.
    misbehaviour/  Track A: train away reward hacking (and sycophancy, and a control habit)
                   with k caught examples; does it generalise?
    withholding/   Track B: a model that withholds what it knows; can training make it
                   answer correctly without ever training on the correct restricted answers?
"""

# The track sections of params.yaml; each track's stages validate their own section.
TRACKS = ("misbehaviour", "withholding")
