"""Built-in dataset sources (each module registers its entries when imported)."""
