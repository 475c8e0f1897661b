"""The presentation layer: every word the product says, in every language, and every way it is shown.

One message catalogue (`catalogue`, gettext `.po` files under `locale/`), one way to name an
item or a resource (`names.local_name`), dates and quantities (`formats`), and the renderers
of the services' typed answers: sentences (`quotes`, `replies`), JSON documents that the CLI
and the REST API print (`documents`), platform-neutral cards with actions that chat adapters
draw (`cards`, `answer_cards`, `digest`) and charts (`charts`).
Nothing here reads a database or talks to a chat platform.
"""
