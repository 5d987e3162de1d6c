"""The REL05 review report: how much of the code follows each best practice.

``collect`` runs the engine's survey over files (the rules count the sites
they inspect while they check: ``core.sites``), ``practices`` groups the site
kinds the rules declare by best practice, ``model`` turns the counts into
figures, and ``markdown``/``html``/``json_out`` render them (``renderers``
picks one).
"""
