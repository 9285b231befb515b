package io.herald.controller.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.herald.testkit.ApiServer;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The controller as its jar runs it (application.yml, every bean, the HTTP server) against a real
 * kube-apiserver: what its port answers. Prometheus scrapes /metrics; nothing but health and metrics
 * is exposed, /prometheus included (the path before /metrics).
 */
@ExtendWith(ApiServer.class)
class ManagementEndpointsIT {

    static ApplicationContext app;
    static String base;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start(ApiServer server) {
        server.installIpPoolCrd();
        String ns = "endpoints-it";
        server.admin()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(ns)
                        .endMetadata()
                        .build())
                .serverSideApply();
        EmbeddedServer embedded = ApplicationContext.run(
                EmbeddedServer.class,
                Map.of(
                        "micronaut.server.host",
                        "127.0.0.1",
                        "micronaut.server.port",
                        -1,
                        "herald.controller.kubeconfig",
                        server.kubeconfig().toString(),
                        "herald.controller.lease-namespace",
                        ns,
                        "herald.controller.identity",
                        "endpoints-it"));
        app = embedded.getApplicationContext();
        base = "http://127.0.0.1:" + embedded.getPort();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void metricsAreAtSlashMetricsInPrometheusTextFormat() throws Exception {
        // ready: the loop leads, so the leader gauge is 1 in the scrape
        awaitStatus("/health/readiness", 200);
        HttpResponse<String> r = get("GET", "/metrics");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(
                r.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
                "Prometheus text format: " + r.headers().map());
        assertTrue(
                Pattern.compile("(?m)^herald_controller_leader 1(\\.0)?$")
                        .matcher(r.body())
                        .find(),
                "the controller's own gauges:\n" + r.body());
        assertTrue(r.body().contains("jvm_memory_used_bytes"), "the JVM's meters");
    }

    @Test
    void onlyHealthAndMetricsAnswer() throws Exception {
        assertEquals(200, get("GET", "/health/liveness").statusCode());
        HttpResponse<String> health = get("GET", "/health");
        assertFalse(health.body().contains("details"), "health without details: " + health.body());
        for (String path :
                List.of("/prometheus", "/beans", "/routes", "/info", "/threaddump", "/loggers", "/env", "/refresh")) {
            for (String method : List.of("GET", "POST")) {
                assertEquals(404, get(method, path).statusCode(), method + " " + path);
            }
        }
    }

    static HttpResponse<String> get(String method, String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void awaitStatus(String path, int status) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        int last = -1;
        while (Instant.now().isBefore(deadline)) {
            last = get("GET", path).statusCode();
            if (last == status) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(path + " answered " + last + ", not " + status + ", for 60 s");
    }
}
