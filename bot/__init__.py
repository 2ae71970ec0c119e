"""parecon-rota: balanced job complexes for horizontal organizations, on Discord."""
