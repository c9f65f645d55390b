"""Anonymisation algorithms: bands, small-cell protection, Table 1 and k-anonymity.

Plain Python with no Django import, so they can be tested, benchmarked and read on their own.
The services in recruit/services/ feed them plain values and translate what they report.
"""
