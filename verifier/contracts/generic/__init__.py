"""Behaviour checks that need nothing but the layer: no contract, no knowledge of its API.

Every public ``async def`` of the target's crud module(s) that takes a session first (and every
public async method of a repository class built from a session) is called through the target's
own ``get_session`` with arguments built from its annotations and the models: ids of rows
seeded per table, strings within the column lengths, enum members, JSON values, aware
datetimes. What holds for any correct layer is then checked (``checks``): returned objects
readable after return, a statement count that does not grow with the rows, no connection left
behind, a session usable after an error, constraint violations as domain errors, no partial
write after a fault. A call whose arguments cannot be built is noted as skipped, never a finding.
"""
