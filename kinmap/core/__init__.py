"""kinmap's functional core: the family network as plain Python objects, the
derivations over it, the information-requirement rules and the genogram layout.

Nothing in this package imports Django; it is tested without a database.
"""
