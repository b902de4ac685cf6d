# What the boto3 scripts against Walrus share: a client for a pair of keys (the environment's
# by default), and a call's outcome in a word or two.
import os
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

URL = os.environ['S3_URL']


def client(key=None, secret=None, signature='s3v4'):
    return boto3.client('s3', endpoint_url=URL, region_name='eucalyptus',
                        aws_access_key_id=key or os.environ['AWS_ACCESS_KEY_ID'],
                        aws_secret_access_key=secret or os.environ['AWS_SECRET_ACCESS_KEY'],
                        config=Config(signature_version=signature, s3={'addressing_style': 'path'}))


def outcome(call, status=False):
    """'ok', or the error's code (with its HTTP status when asked)."""
    try:
        call()
        return 'ok'
    except ClientError as e:
        code = e.response['Error']['Code']
        return '%s %s' % (code, e.response['ResponseMetadata']['HTTPStatusCode']) if status else code
