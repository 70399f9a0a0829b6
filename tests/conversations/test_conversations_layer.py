"""chanyan.conversations sits between the services and the store: it uses the store, the domain and the clock, and
only services and adapters use it."""

from __future__ import annotations

import grimp

BELOW = ("chanyan.store", "chanyan.domain", "chanyan.extraction")
ABOVE = (
    "chanyan.requests",
    "chanyan.staff",
    "chanyan.intake",
    "chanyan.partners",
    "chanyan.followup",
    "chanyan.console",
    "chanyan.cli",
)


def test_conversations_depend_inward_only():
    graph = grimp.build_graph("chanyan", "connectors")
    ours = {m for m in graph.modules if m.startswith("chanyan.conversations")}
    upward = sorted(
        (module, imported)
        for module in ours
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith(ABOVE) or imported.startswith(("connectors", "rasa", "aiohttp"))
    )
    assert upward == []
    from_below = sorted(
        (module, imported)
        for module in graph.modules
        if module.startswith(BELOW)
        for imported in graph.find_modules_directly_imported_by(module)
        if imported in ours
    )
    assert from_below == []
