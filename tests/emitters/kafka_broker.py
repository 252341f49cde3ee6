"""A real Apache Kafka broker in KRaft mode on loopback, from Maven Central's artifacts.

``kafka/pom.xml`` names ``org.apache.kafka:kafka_2.13``; Maven resolves it into ``~/.m2``
(kept between runs) and prints the classpath; the broker runs with ``java`` as a combined
broker+controller, one node, no ZooKeeper. We start it, so we stop it.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import uuid
from pathlib import Path

POM = Path(__file__).parent / "kafka" / "pom.xml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def classpath(work: Path) -> str:
    target = work / "kafka-classpath.txt"
    subprocess.run(
        ["mvn", "-q", "-B", "-f", str(POM), "dependency:build-classpath",
         f"-Dmdep.outputFile={target}"],
        check=True, timeout=600,
    )  # fmt: skip
    return target.read_text().strip()


class KafkaBroker:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.port = _free_port()
        self.controller = _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> KafkaBroker:
        cp = classpath(self.work)
        props = self.work / "server.properties"
        props.write_text(
            "process.roles=broker,controller\n"
            "node.id=1\n"
            f"controller.quorum.voters=1@127.0.0.1:{self.controller}\n"
            f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller}\n"
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}\n"
            "controller.listener.names=CONTROLLER\n"
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
            "inter.broker.listener.name=PLAINTEXT\n"
            f"log.dirs={self.work / 'data'}\n"
            "num.partitions=2\n"
            "offsets.topic.replication.factor=1\n"
            "offsets.topic.num.partitions=1\n"
            "transaction.state.log.replication.factor=1\n"
            "transaction.state.log.min.isr=1\n"
            "group.initial.rebalance.delay.ms=0\n"
            "auto.create.topics.enable=true\n"
        )
        java = ["java", "-Xmx512m", "-cp", cp]
        subprocess.run(
            [*java, "kafka.tools.StorageTool", "format", "-t", str(uuid.uuid4()), "-c", str(props)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        log = (self.work / "broker.log").open("ab")
        self.proc = subprocess.Popen(
            [*java, "-Dlog4j.configuration=", "kafka.Kafka", str(props)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kafka exited with {self.proc.returncode}; see {log.name}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 1),
            ):
                return self
            time.sleep(0.5)
        raise RuntimeError("kafka did not listen in time")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
