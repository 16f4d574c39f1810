"""Read-analyse-write chains: read through io/, analyse, write through export/."""
