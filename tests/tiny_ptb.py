"""A tiny PTB-like folder for the CLI tests of PTB commands."""


def write_tiny_ptb(root, words, lines, rng, length=(8, 9)):
    """A PTB-like folder for CLI tests: ``ptb.{split}.txt`` with ``lines[split]``
    random lines of ``words`` (``length``: [low, high) words per line, drawn
    from ``rng``) and one last line holding every word, so the vocabulary
    is ``words`` in every split. Returns ``root``."""
    root.mkdir(exist_ok=True)
    for split, count in lines.items():
        text = [" ".join(rng.choice(words, rng.integers(*length))) for _ in range(count)]
        (root / f"ptb.{split}.txt").write_text("\n".join(text + [" ".join(words)]) + "\n")
    return root
