"""Stands in for I/O: a call that waits on the network (time.sleep releases the GIL, as socket
reads do)."""
import time

from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def remote_fetch(seconds: float) -> int:
    time.sleep(seconds)
    return 1
