"""Asks a SPARQL endpoint one query through rdflib's SPARQLStore (its own
HTTP client, GET, SPARQL XML results) and prints the rows rdflib decoded,
as SPARQL JSON results, for the Rust test (tests/it/serve.rs) to compare
with `xietong query`'s.

Usage: python3 rdflib_client.py ENDPOINT QUERY_FILE
"""
import sys

from rdflib.plugins.stores.sparqlstore import SPARQLStore

endpoint, query_file = sys.argv[1], sys.argv[2]
store = SPARQLStore(endpoint)
with open(query_file, encoding="utf-8") as f:
    result = store.query(f.read())
sys.stdout.write(result.serialize(format="json").decode("utf-8"))
