"""zjtx.services — catalog-aware entry points above the engine and the catalog.

The engine (``zjtx.rules``) takes policies, parameters and the record contract; these modules resolve
them from the catalog (``zjtx.policies.catalog()``) by policy id and date:

* ``gaps`` — the tier ladder of one enterprise with verified gap options, ``solve``, ``near_miss``;
* ``reform`` — reform simulation (a parameter overlay) over a register;
* ``stream`` — streaming Parquet evaluation in bounded chunks (progress reported to a callback);
* ``spark`` — the same compiled plan on Apache Spark partitions.
"""
