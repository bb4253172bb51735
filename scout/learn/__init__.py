"""The learning stage: training data mined from git history and docs, datasets, and training.

Owns: mining (`mine`, `gitlog`, `headtree`, `tasks`, and the sources `docquestions`, `paraphrase`,
`readme`, `testnames`), the training repositories (`manifest`,
`snapshots`), the vocabulary and the distilled table (`vocab`, `distill`, `encoder`), examples
(`examples`), training (`embedtrain`, `fit`) and the whole run (`pipeline`), which writes
`scout/models/weights/`. Nothing at query time imports it.
May import: every stage below the surfaces (core, index, tools, models, explorer, bundle, api).
"""

HEADS = 1  # heads a training run fits and averages (`fit.fit_nets`, `scout learn train --heads`)
