# A helper module without UDFs, imported by a UDF file.
MILES_PER_KM = 0.621371
