import datetime

from sqlflow.udfs import python_scalar_udf


@python_scalar_udf(return_type="INTERVAL")
def as_duration(seconds):
    return datetime.timedelta(seconds=seconds)
