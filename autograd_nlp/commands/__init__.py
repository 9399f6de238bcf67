"""The subcommands of ``autograd-nlp``: the application layer that joins
data, models and training loops (the framework packages know nothing of it)."""
