"""The learning stage: training data mined from git history and docs, datasets, and training.

Owns: mining (`mine`, `gitlog`, `docquestions`), labelled examples (`trainset`) and the training
loops (`train`, `headfit`) that write `scout/models/weights/`. Nothing at query time imports it.
May import: every stage below the surfaces (core, index, tools, models, explorer, bundle, api).
"""
