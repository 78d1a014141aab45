from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def greet(name: str) -> str:
    return "hello " + name
