package lineage.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * A real Neo4j 5 (community, in-process harness) for the Python test suite.
 *
 * <p>Bolt only, on a free loopback port, auth disabled, data in a throwaway directory. Prints
 * {@code BOLT bolt://127.0.0.1:PORT} on stdout once it answers, then runs until SIGTERM (the JVM's
 * shutdown hook closes the database cleanly) or until stdin reaches end of file: the parent keeps
 * stdin open, so a test run killed with -9 never leaves an orphan server behind.
 *
 * <p>Arguments: {@code WORKDIR [PAGECACHE]}, e.g. {@code /tmp/x 256m}.
 */
public final class Neo4jTestServer {
    private Neo4jTestServer() {}

    public static void main(String[] args) throws InterruptedException {
        Path workDir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
        String pageCache = args.length > 1 ? args[1] : "128m";
        Neo4j neo4j = Neo4jBuilders.newInProcessBuilder(workDir)
                .withDisabledServer()
                .withConfig(HttpConnector.enabled, false)
                .withConfig(HttpsConnector.enabled, false)
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", 0))
                .withConfig(GraphDatabaseSettings.auth_enabled, false)
                .withConfig(GraphDatabaseSettings.pagecache_memory, parseBytes(pageCache))
                .withConfig(GraphDatabaseSettings.check_point_interval_time, checkpointEvery())
                .build();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            neo4j.close();
            stop.countDown();
        }, "neo4j-test-server-stop"));
        Thread stdinWatch = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() != -1) {
                    // the parent writes nothing; end of file means it went away
                }
            } catch (IOException ignored) {
                // treat a broken stdin like end of file
            }
            System.exit(0);
        }, "neo4j-test-server-stdin");
        stdinWatch.setDaemon(true);
        stdinWatch.start();
        System.out.println("BOLT " + neo4j.boltURI());
        System.out.flush();
        stop.await();
    }

    /** Benchmarks measure the store files, so they ask for frequent checkpoints. */
    private static Duration checkpointEvery() {
        String seconds = System.getProperty("lineage.checkpoint.seconds", "900");
        return Duration.ofSeconds(Long.parseLong(seconds));
    }

    private static long parseBytes(String text) {
        String t = text.trim().toLowerCase();
        long unit = switch (t.charAt(t.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1L;
        };
        String digits = unit == 1L ? t : t.substring(0, t.length() - 1);
        return Long.parseLong(digits) * unit;
    }
}
