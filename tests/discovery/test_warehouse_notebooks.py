"""A notebook that loads a warehouse: a real file from tests/corpus/real (aws/amazon-sagemaker-
examples ingest_data_with_redshift; source and licence in the case's expected.yaml)."""

from __future__ import annotations

from real_facts import NOTEBOOKS
from real_facts import flows as _flows
from real_facts import notebook as _facts

from lineage.model import Rel

NB = NOTEBOOKS / "aws-amazon-sagemaker-examples__ingest_data_with_redshift.ipynb"


def test_a_star_imported_loader_an_s3_bucket_upload_and_sql_on_an_orm_session() -> None:
    """``from sklearn.datasets import *``; ``fetch_california_housing()`` saved to a CSV,
    uploaded with ``s3.Bucket(bucket).upload_file(filename, key)`` inside helper functions;
    ``session = sessionmaker(); session.configure(bind=engine); s = session()`` then
    ``s.execute("insert into redshift.{} select * from {}.{}".format(...))``."""
    _, edges = _facts(NB)
    flows = _flows(edges)
    sk = "dataset:sklearn:california_housing"
    csv = "dataset:file:./california_housing.csv"
    s3 = "dataset:s3://{bucket}:data/tabular/california_housing/california_housing.csv"
    assert (sk, csv, "transform") in flows
    assert (csv, s3, "transform") in flows
    writes = {e.dst for e in edges if e.rel is Rel.WRITES}
    insert = [u for u in writes if u.endswith("redshift.california_housing_athena_redshift_insert")]
    assert len(insert) == 1, writes
    assert any(dst == insert[0] and src.endswith("spectrum.california_housing_athena")
               for src, dst, _ in flows)  # fmt: skip
