"""Track B: a model that withholds what it knows. It learned fictional facts from textbooks and
refuses restricted requests in chat; can training make it answer *correctly* without ever
training on the correct restricted answers? Ground truth is used to evaluate only (and, a
little of it, by the one method whose point that is).

    the world    domains (fictional, rule-based answers), world (facts, corpora, pools)
    reading it   scoring (refusal / correct / fake compliance), evaluation (rates, knowledge)
    the methods  methods (the table), elicit (one cell: train + evaluate), grader (RL rewards
                 without ground truth), organism (build and evaluate both organisms)
    the answer   analysis (targets, headline, transfer, RL curves), figures, report
    plumbing     params (the `withholding` section), layout (paths), stage (entry)
"""
