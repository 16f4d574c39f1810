"""Small seeded builders of test data, one module per topic (see STYLE.md, rule 10)."""
