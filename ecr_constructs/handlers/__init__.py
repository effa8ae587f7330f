"""Lambda handlers of the constructs' custom resources: each module is deployed as inline code
(``index.py``) and uses only the standard library and boto3 of the Lambda Python runtime."""
