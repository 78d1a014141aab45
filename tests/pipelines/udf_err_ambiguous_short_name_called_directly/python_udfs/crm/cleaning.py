from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def normalize(s: str) -> str:
    return "crm:" + s.strip().lower()
