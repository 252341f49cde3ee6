"""What a cell printed is classified as the data it shows (issue 15.3, output classifier).

Printed tables are cut into columns and classified under their column names; printed
vectors are not values. The inputs are the exact print formats of the libraries: pandas
reprs are made here by pandas itself, embeddings printed as ``print(vec.tolist())`` does
(float64 reprs, seeded), the Spark ``show()`` table in Spark's layout (values cut at 20
characters with ``...``). No permissively licensed public notebook in reach prints personal
data in a ``show()`` table (real repositories rarely commit such outputs), hence the one
written here; the wget log is the tool's standard output.
"""

from __future__ import annotations

import random

import pandas as pd
import pytest

from ingest.notebook import Classifier, presidio_classifier
from ingest.notebook.printed import FREE_TEXT, columns, is_numeric_vector

SPARK_SHOW = """\
+---+----------+---------+--------------------+------+----------+
| id|first_name|last_name|               email|gender|birth_date|
+---+----------+---------+--------------------+------+----------+
|  1|    Amelia|  Hartley|amelia.hartley@no...|Female|1981-04-12|
|  2|     Tomas|    Novak|tnovak77@fastmail...|  Male|1975-09-30|
|  3|     Priya|    Raman|priya.raman@examp...|Female|1990-01-05|
|  4|     Lucas|   Moreau|     lmoreau@corp.fr|  Male|1968-07-22|
+---+----------+---------+--------------------+------+----------+
only showing top 4 rows
"""

WGET = """\
--2024-03-01 10:12:31--  https://raw.githubusercontent.com/run-llama/llama_index/main/docs/docs/examples/data/paul_graham/paul_graham_essay.txt
Resolving raw.githubusercontent.com (raw.githubusercontent.com)... 185.199.108.133, 185.199.109.133, 185.199.110.133, ...
Connecting to raw.githubusercontent.com (raw.githubusercontent.com)|185.199.108.133|:443... connected.
HTTP request sent, awaiting response... 200 OK
Length: 75042 (73K) [text/plain]
Saving to: 'data/paul_graham/paul_graham_essay.txt'

data/paul_graham/pa 100%[===================>]  73.28K  --.-KB/s    in 0.01s

2024-03-01 10:12:31 (6.84 MB/s) - 'data/paul_graham/paul_graham_essay.txt' saved [75042/75042]
"""  # noqa: E501 - wget's lines as printed


@pytest.fixture(scope="module")
def classify() -> Classifier:
    return presidio_classifier()


def _labels(classify: Classifier, text: str) -> set[str]:
    return {str(found.label) for found in classify([text])}


def test_a_spark_show_table_is_labelled_by_its_columns(classify: Classifier) -> None:
    cols = dict(columns(SPARK_SHOW))
    assert cols["email"][0] == "amelia.hartley@no..."
    assert cols["first_name"] == ["Amelia", "Tomas", "Priya", "Lucas"]
    found = {str(f.label): f for f in classify([SPARK_SHOW])}
    assert {"PII:EMAIL_ADDRESS", "PII:PERSON", "PII:DATE_OF_BIRTH"} <= set(found)
    assert found["PII:EMAIL_ADDRESS"].hits == 4  # the cut addresses count too


def test_a_pandas_repr_is_cut_into_its_columns(classify: Classifier) -> None:
    df = pd.DataFrame(
        {
            "customer_name": ["Ann Lee", "Bob Stone", "Carla Diaz"],
            "email": ["ann@example.org", "bob.stone@corp.example.com", "cd@mail.example.net"],
            "spend": [12.5, 300.0, 7.25],
        }
    )
    cols = dict(columns(repr(df)))
    assert cols["customer_name"] == ["Ann Lee", "Bob Stone", "Carla Diaz"]
    assert cols["spend"] == ["12.50", "300.00", "7.25"]
    assert {"PII:EMAIL_ADDRESS", "PII:PERSON"} <= _labels(classify, repr(df))


def test_printed_embeddings_are_not_card_numbers(classify: Classifier) -> None:
    rng = random.Random(7)
    printed = "\n".join(str([rng.gauss(0, 0.05) for _ in range(384)]) for _ in range(3))
    assert all(is_numeric_vector(line) for line in printed.splitlines())
    assert _labels(classify, printed) == set()


def test_a_wget_log_is_not_personal_data(classify: Classifier) -> None:
    assert _labels(classify, WGET) == set()


def test_lines_outside_tables_are_still_values(classify: Classifier) -> None:
    text = "contacts:\nann@example.org\nbob@corp.example.com\n"
    assert dict(columns(text)) == {FREE_TEXT: text.splitlines()}
    assert _labels(classify, text) == {"PII:EMAIL_ADDRESS"}


def test_words_and_metrics_are_not_vectors() -> None:
    assert not is_numeric_vector("epoch 3 loss 0.1234 accuracy 0.98 f1 0.97")
    assert not is_numeric_vector("4111 1111 1111 1111")  # integers: a value, not a vector
    assert is_numeric_vector("tensor([ 0.1234, -0.5678,  0.9101,  0.1121])")
