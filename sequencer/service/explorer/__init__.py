"""
The explorer: read-only pages the sequencer serves at ``/explorer`` for
anyone, no key needed (``docs/ARCHITECTURE.md``).

The pages are rendered on the server from the same reads as the JSON API
(``service.queries``, ``service.views``), so they work without JavaScript;
``static/explorer.js`` only keeps a market's book and trades live over the
market's WebSocket feed. Amounts and prices are shown in tokens
(``units``), labelled by the markets file's ``tokens`` table.
"""
