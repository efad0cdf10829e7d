"""Ad-platform lead APIs (Meta Lead Ads, LinkedIn Lead Sync, Google Ads lead forms) as dlt sources.

Each platform folder holds the ``@dlt.source`` (``__init__``), its paging/auth/parsing
(``helpers``) and constants (``settings``); ``common`` holds retries, OAuth, the incremental
cursor and the Arrow row building they share.
"""
