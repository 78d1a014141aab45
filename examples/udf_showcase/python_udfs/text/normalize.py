"""Text clean-up; lives in a subfolder, so its UDFs are text.normalize.<function>."""

from sqlflow.udfs import python_scalar_udf


@python_scalar_udf
def clean_email(email: str) -> str:
    """Trims and lower-cases an e-mail address."""
    return email.strip().lower()


@python_scalar_udf
def initials(full_name: str) -> str:
    """'Grace Brewster Hopper' -> 'GBH'; hyphenated names count each part."""
    return "".join(part[0].upper() for part in full_name.replace("-", " ").split())
