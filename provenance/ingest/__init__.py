"""Reading inputs: files, HTML, JSONL and WARC, decoded and bounded."""
