"""``prov scan`` on Apache Spark (imports pyspark; nothing imports it but the CLI)."""
