"""The shared core. Everything an experiment needs that is not about its own behaviours:

    config      shared params blocks (model, generation, train, evaluate) and their loading
    io          JSONL/JSON in and out (errors at file:line)
    records     items (a kind registry), outcomes with named scores, eval sets with tags
    stats       Wilson intervals, bootstraps, summaries of any named score
    models      loading a checkpoint (or the real model a pointer names), devices
    generation  batched sampling (transformers or vLLM); solver: the model under evaluation
    methods     the registry of training methods; trainers: the TRL glue; training: one run
    tokenizer, organism   a small Llama trained from scratch on a corpus
    evaluation  sample -> score -> group, by composition
    probes      linear probes on the residual stream
    markdown, plotting    report helpers
    runs        reusing a finished run when nothing it depends on changed
    entry       what every stage starts with

Nothing here names a behaviour, a control or an eval set: experiments bring those.
"""
