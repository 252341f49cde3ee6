"""The lineage graph service: model, store, pipeline, queries and API."""

import os

# Nothing may download at run time. tldextract (behind Presidio's e-mail and URL
# recognisers) builds its extractor when first imported and then fetches the public-suffix
# list unless this is empty; set here, before any module can import Presidio, it keeps
# tldextract on the snapshot it ships whichever path (classification, redaction, the API)
# loads Presidio first.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
