package dev.aisle.infra.opensearch;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Starts one embedded OpenSearch node for local development of Aisle.
 *
 * <p>Usage: {@code java -cp ... dev.aisle.infra.opensearch.LocalOpenSearch <state-dir>}. Normally started by
 * {@code infra/local/opensearch.sh up}. Configuration comes from the environment:
 * <ul>
 *   <li>{@code SEARCH_URL} (default {@code http://127.0.0.1:9200}): only its port is used; HTTP always binds 127.0.0.1.</li>
 *   <li>{@code OPENSEARCH_TRANSPORT_PORT} (default 9300): transport port, bound to 127.0.0.1.</li>
 * </ul>
 * The node runs until the JVM is asked to stop (SIGTERM / SIGINT); a shutdown hook then closes it cleanly.
 */
public final class LocalOpenSearch {

    private LocalOpenSearch() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: LocalOpenSearch <state-dir>");
            System.exit(2);
        }
        final Path stateDir = Path.of(args[0]).toAbsolutePath().normalize();
        final int httpPort = httpPort(env("SEARCH_URL", "http://127.0.0.1:9200"));
        final int transportPort = Integer.parseInt(env("OPENSEARCH_TRANSPORT_PORT", "9300"));

        final Path home = Files.createDirectories(stateDir.resolve("home"));
        final Path data = Files.createDirectories(stateDir.resolve("data"));
        final Path logs = Files.createDirectories(stateDir.resolve("logs"));

        final OpenSearchRunner runner = new OpenSearchRunner();
        runner.setMaxHttpPort(-1); // we pin http.port ourselves; skip the runner's free-port probing
        runner.onBuild((number, settings) -> settings
                .put("http.host", "127.0.0.1")
                .put("http.port", httpPort)
                .put("transport.host", "127.0.0.1")
                .put("transport.port", transportPort)
                .put("node.name", "aisle-local-1")
                .putList("node.roles", "cluster_manager", "data", "ingest")
                .put("discovery.type", "single-node")
                // dev box: never flip indices to read-only because the disk is fuller than 85/90/95 %
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.destructive_requires_name", false));

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("[aisle-local] shutdown requested, closing node");
            try {
                runner.close();
            } catch (final Exception e) {
                System.err.println("[aisle-local] error while closing node: " + e);
            } finally {
                stopped.countDown();
            }
        }, "aisle-opensearch-shutdown"));

        try {
            // the runner gives node N the port baseHttpPort + N; set it so its banner shows the real port
            runner.build("-clusterName", "aisle-local", "-numOfNode", "1", "-printOnFailure",
                    "-baseHttpPort", String.valueOf(httpPort - 1),
                    "-basePath", home.toString(), "-dataPath", data.toString(), "-logsPath", logs.toString());
        } catch (final RuntimeException e) {
            e.printStackTrace();
            // repeat the cause chain last, so that `tail` of the log shows why
            System.err.println("[aisle-local] failed to start OpenSearch node:");
            for (Throwable t = e; t != null; t = t.getCause()) {
                System.err.println("[aisle-local]   " + t);
            }
            System.err.flush();
            Runtime.getRuntime().halt(1); // the half-started node holds non-daemon threads
        }
        System.out.println("[aisle-local] OpenSearch node started: http://127.0.0.1:" + httpPort
                + " (transport 127.0.0.1:" + transportPort + ", state " + stateDir + ")");
        stopped.await();
    }

    private static String env(final String name, final String fallback) {
        final String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static int httpPort(final String searchUrl) {
        final URI uri = URI.create(searchUrl);
        if (uri.getPort() > 0) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 9200;
    }
}
