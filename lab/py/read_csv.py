"""Read the lab's CSV from the S3 stand-in with boto3 and pandas, as a notebook would.

Credentials come from the instance metadata service (the lab's stand-in), directly; the S3 request
goes through the proxy when HTTPS_PROXY says so. Prints the row count and a mean.
"""
import io
import sys

import boto3
import pandas
from botocore.config import Config

ENDPOINT = "https://s3.lab.test"
BUCKET, KEY = "lab-data", "iris.csv"


def read_csv() -> pandas.DataFrame:
    s3 = boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        # One attempt: the lab wants the first error, not a minute of retries.
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=20),
    )
    body = s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
    return pandas.read_csv(io.BytesIO(body))


if __name__ == "__main__":
    df = read_csv()
    print(f"rows={len(df)} mean_sepal_length={df['sepal_length'].mean():.3f}")
    sys.exit(0)
