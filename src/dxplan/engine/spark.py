"""Spark sessions for the engine: a local one for tests and small runs, or a cluster's.

`session()` builds (or joins) a SparkSession. With a `local[...]` master it is tuned for
one machine: no web UI, few shuffle partitions, a modest driver, the driver bound to the
loopback interface. With any other master (`spark://host:7077`, `yarn`, `k8s://...`) or
with none (`master=None`: whatever `spark-submit` or `spark-defaults.conf` says) only
the settings the engine relies on are set. Nothing is downloaded at run time: no
`spark.jars.packages`; Parquet on HDFS or S3 needs the cluster's own Hadoop jars.

`stop()` ends the session and, when this process launched the JVM itself (plain
`python`, not `spark-submit`), the JVM too, so no Java process outlives its user.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from typing import Any, Final

from pyspark import SparkContext
from pyspark.sql import SparkSession

# What the engine relies on, whatever the master: instants are epoch microseconds and
# months are precomputed keys, so no SQL depends on the zone; UTC keeps any conversion
# to Arrow independent of the machine's zone.
ENGINE_CONF: Final[Mapping[str, str]] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
}

# One machine: small data, quick start, nothing listening beyond the loopback interface.
LOCAL_CONF: Final[Mapping[str, str]] = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.driver.memory": "1g",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}

LOCAL_MASTER: Final = "local[2]"
_JVM_EXIT_SECONDS: Final = 30


def session(
    master: str | None = LOCAL_MASTER,
    conf: Mapping[str, str] | None = None,
    *,
    app_name: str = "dxplan",
) -> SparkSession:
    """A SparkSession on `master` (None: the one `spark-submit` or the defaults give).

    `conf` overrides the defaults above. In an existing Spark application (a notebook,
    `spark-submit`) the running session is returned with these settings applied where
    Spark still allows it.
    """
    builder: Any = SparkSession.builder.appName(app_name)
    settings = dict(ENGINE_CONF)
    if master is not None:
        builder = builder.master(master)
        if master.startswith("local"):
            settings.update(LOCAL_CONF)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark: SparkSession = builder.getOrCreate()
    if master is not None and master.startswith("local"):
        spark.sparkContext.setLogLevel("ERROR")
    return spark


def stop(spark: SparkSession) -> None:
    """Stop `spark`; if this process started the JVM, shut it down and wait for it."""
    spark.stop()
    gateway: Any = SparkContext._gateway
    if gateway is None:
        return
    process: subprocess.Popen[bytes] | None = getattr(gateway, "proc", None)
    gateway.shutdown()
    SparkContext._gateway = None
    SparkContext._jvm = None
    if process is None:
        return  # the JVM belongs to spark-submit or a notebook server, not to us
    # pyspark's gateway JVM exits when its standard input closes
    if process.stdin is not None:
        process.stdin.close()
    try:
        process.wait(timeout=_JVM_EXIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
