from sqlflow.udfs import python_scalar_udf
import no_such_dependency_xyz


@python_scalar_udf
def enrich(x: int) -> int:
    return no_such_dependency_xyz.enrich(x)
