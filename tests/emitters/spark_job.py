"""A PySpark job with the OpenLineage listener (run by tests/emitters/test_spark_ol.py).

Reads a PII table, writes a CTAS-style hash (``sha2(email, 256)``), an aggregate and a
plain copy. The listener jar comes from Maven Central through ``spark.jars.packages``;
Ivy's cache (``~/.ivy2``) is kept between runs. Usage: spark_job.py URL TOKEN WORKDIR
"""

import os
import sys

from pyspark.sql import SparkSession

url, token, work = sys.argv[1], sys.argv[2], sys.argv[3]
PACKAGE = "io.openlineage:openlineage-spark_2.12:1.53.0"
spark = (
    SparkSession.builder.master("local[1]")
    .appName("pii_ctas")
    .config("spark.jars.packages", PACKAGE)
    .config("spark.jars.ivy", os.environ.get("IVY_HOME", os.path.expanduser("~/.ivy2")))
    .config("spark.extraListeners", "io.openlineage.spark.agent.OpenLineageSparkListener")
    .config("spark.openlineage.transport.type", "http")
    .config("spark.openlineage.transport.url", url)
    .config("spark.openlineage.transport.endpoint", "/api/v1/lineage")
    .config("spark.openlineage.transport.auth.type", "api_key")
    .config("spark.openlineage.transport.auth.apiKey", token)
    .config("spark.openlineage.namespace", "spark")
    .config("spark.sql.warehouse.dir", f"{work}/warehouse")
    .config("spark.ui.enabled", "false")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .getOrCreate()
)
spark.createDataFrame(
    [(1, "ana@example.com", 120.5, "CA"), (2, "bob@example.com", 80.0, "NY")],
    "id INT, email STRING, amount DOUBLE, state STRING",
).write.mode("overwrite").parquet(f"{work}/customers")
spark.read.parquet(f"{work}/customers").createOrReplaceTempView("customers")
spark.sql("SELECT id, sha2(email, 256) AS email_hash, state FROM customers").write.mode(
    "overwrite"
).parquet(f"{work}/hashed")
spark.sql("SELECT state, sum(amount) AS total FROM customers GROUP BY state").write.mode(
    "overwrite"
).parquet(f"{work}/by_state")
spark.sql("SELECT id, email FROM customers").write.mode("overwrite").parquet(f"{work}/copy")
spark.stop()
