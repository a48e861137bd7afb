"""Asks a SPARQL endpoint one query as Python's SPARQLWrapper does (POST,
JSON results) and prints the bindings it decoded, as JSON, for the Rust
test (tests/it/serve.rs) to compare with `xietong query`'s.

Usage: python3 sparql_client.py ENDPOINT QUERY_FILE
"""
import json
import sys

from SPARQLWrapper import JSON, POST, SPARQLWrapper

endpoint, query_file = sys.argv[1], sys.argv[2]
client = SPARQLWrapper(endpoint)
client.setMethod(POST)
client.setReturnFormat(JSON)
with open(query_file, encoding="utf-8") as f:
    client.setQuery(f.read())
answer = client.query().convert()
json.dump(answer["results"]["bindings"], sys.stdout, ensure_ascii=False)
