"""Read-analyse-write chains: open inputs through io/, analyse, write through export/."""
