"""Nightly scans of crawled pages and their results."""
