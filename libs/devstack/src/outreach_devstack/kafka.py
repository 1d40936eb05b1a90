"""A real single-node Apache Kafka (KRaft, broker+controller) from Maven Central jars on the local JDK."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import shutil
import subprocess
import uuid
from pathlib import Path

from outreach_devstack import processes
from outreach_devstack.paths import cache_dir, repo_root, state_dir

NAME = "kafka"
HOST = "127.0.0.1"
PORT = 9092
CONTROLLER_PORT = 9093


def libs_dir() -> Path:
    """Folder holding the Kafka jars and their dependencies."""
    return cache_dir() / "kafka" / "libs"


def install() -> Path:
    """Copy Kafka and its logging binding from Maven Central into the cache (once)."""
    libs = libs_dir()
    marker = libs / ".complete"
    if marker.exists():
        return libs
    pom = repo_root() / "deploy" / "local" / "kafka" / "pom.xml"
    if libs.exists():
        shutil.rmtree(libs)
    fetched = subprocess.run(  # quiet unless it fails (Maven 3.8 prints colour codes even with -B)
        ["mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies", f"-DoutputDirectory={libs}"],
        capture_output=True,
        text=True,
    )
    if fetched.returncode != 0:
        raise RuntimeError(f"fetching Kafka from Maven Central failed:\n{fetched.stdout}{fetched.stderr}")
    marker.write_text("ok\n")
    return libs


def _config(data: Path, port: int, controller_port: int) -> Path:
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(data / "logs"),
        "num.partitions": "3",
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "5",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "true",
        "log.retention.hours": "24",
        "log.segment.bytes": str(64 * 1024 * 1024),
    }
    path = data / "server.properties"
    path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
    log4j = data / "log4j2.properties"
    log4j.write_text(
        "status = warn\n"
        "appender.console.type = Console\nappender.console.name = STDOUT\n"
        "appender.console.layout.type = PatternLayout\n"
        "appender.console.layout.pattern = [%d] %p %m (%c)%n\n"
        "rootLogger.level = WARN\nrootLogger.appenderRef.stdout.ref = STDOUT\n"
        "logger.kafka.name = kafka.server.KafkaRaftServer\nlogger.kafka.level = INFO\n"
    )
    return path


def _java(libs: Path, data: Path, main: str, *args: str) -> list[str]:
    return [
        "java",
        "-Xms256m",
        "-Xmx512m",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={data / 'log4j2.properties'}",
        "-cp",
        f"{libs}/*",
        main,
        *args,
    ]


def start(*, port: int = PORT, controller_port: int = CONTROLLER_PORT, timeout: float = 90.0) -> str:
    """Install if needed, format storage on first use, start the broker and wait for metadata."""
    bootstrap = f"{HOST}:{port}"
    if processes.claim_port(NAME, port):  # ours already (a broker someone else runs there is refused)
        processes.wait_until(NAME, lambda: is_ready(bootstrap), timeout=timeout, interval=0.5)
        return bootstrap
    libs = install()
    data = state_dir() / "kafka"
    data.mkdir(parents=True, exist_ok=True)
    config = _config(data, port, controller_port)
    if not (data / "logs" / "meta.properties").exists():
        subprocess.run(
            _java(libs, data, "kafka.tools.StorageTool", "format", f"--cluster-id={_cluster_id()}", "-c", str(config)),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    processes.start(NAME, _java(libs, data, "kafka.Kafka", str(config)))
    processes.wait_until(NAME, lambda: is_ready(bootstrap), timeout=timeout, interval=0.5)
    return bootstrap


def _cluster_id() -> str:
    """A Kafka cluster id: a random UUID in URL-safe base64 without padding. It may begin with `-` (one in 64),
    so it is passed as `--cluster-id=ID`: as a separate word the storage tool took it for an option and
    refused to format (a fresh stack failed to start now and then)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def stop() -> bool:
    """Stop the local broker."""
    return processes.stop(NAME, timeout=30.0)


def is_ready(bootstrap: str) -> bool:
    """True when the broker answers a metadata request and lists itself."""
    return asyncio.run(_metadata_ok(bootstrap))


async def _metadata_ok(bootstrap: str) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient  # local import: heavy, only needed here

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # "not up yet" is expected while polling
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), timeout=5)
        cluster = await asyncio.wait_for(admin.describe_cluster(), timeout=5)
        return bool(cluster.get("brokers"))
    except Exception:
        return False
    finally:
        with contextlib.suppress(Exception):
            await admin.close()
