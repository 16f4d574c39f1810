"""Read-analyse-write chains: each reads its inputs through io/, analyses, and writes through export/."""
