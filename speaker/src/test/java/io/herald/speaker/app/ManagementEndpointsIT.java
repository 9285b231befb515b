package io.herald.speaker.app;

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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The speaker as its jar runs it (application.yml, every bean, the HTTP server) against a real
 * kube-apiserver: what its port answers. Its namespace has no membership key, so it stays unready and
 * never opens a capture or the membership port; the HTTP server answers regardless. Prometheus scrapes
 * /metrics; nothing but health and metrics is exposed, /prometheus included (the path before /metrics).
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
        String ns = "speaker-endpoints-it";
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
                        "herald.speaker.node-name",
                        "endpoints-it",
                        "herald.speaker.kubeconfig",
                        server.kubeconfig().toString(),
                        "herald.speaker.secret-namespace",
                        ns));
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
        HttpResponse<String> r = get("GET", "/metrics");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(
                r.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
                "Prometheus text format: " + r.headers().map());
        assertTrue(r.body().contains("herald_speaker_owned_addresses"), "the speaker's own meters:\n" + r.body());
        assertTrue(r.body().contains("jvm_memory_used_bytes"), "the JVM's meters");
    }

    @Test
    void onlyHealthAndMetricsAnswer() throws Exception {
        assertEquals(200, get("GET", "/health/liveness").statusCode());
        assertEquals(503, get("GET", "/health/readiness").statusCode(), "unready without the membership key");
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
}
