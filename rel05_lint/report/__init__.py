"""The REL05 review report: how much of the code follows each best practice.

``sites`` defines what the rules count while they check (one traversal),
``collect`` runs the engine's survey over files, ``model`` turns the counts
into per-best-practice figures, and ``markdown``/``html``/``json_out`` render
them. Only ``sites`` is imported by the engine, so it stays dependency-free.
"""
