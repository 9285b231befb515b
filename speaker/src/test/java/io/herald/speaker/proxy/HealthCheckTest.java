package io.herald.speaker.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthCheckTest {

    static final InetAddress NODE = InetAddress.ofLiteral("192.0.2.7");

    @Test
    void checksOfTheSameTargetAreEqualSoAMapHoldsOne() {
        Map<HealthCheck, String> byCheck = new HashMap<>();
        byCheck.put(new HealthCheck.TcpConnect(new InetSocketAddress(NODE, 30080)), "svc-a");
        byCheck.put(
                new HealthCheck.TcpConnect(new InetSocketAddress(InetAddress.ofLiteral("192.0.2.7"), 30080)), "svc-b");
        byCheck.put(HealthCheck.HttpGet.kubeProxyHealthz(NODE), "svc-a");
        byCheck.put(new HealthCheck.HttpGet(new InetSocketAddress(NODE, 10256), "/healthz"), "svc-b");
        byCheck.put(HealthCheck.HttpGet.serviceHealth(NODE, 31999), "svc-c");
        assertEquals(3, byCheck.size());
        // the same address and port under another kind of check is another check
        assertNotEquals(
                new HealthCheck.TcpConnect(new InetSocketAddress(NODE, 10256)),
                HealthCheck.HttpGet.kubeProxyHealthz(NODE));
        assertNotEquals(HealthCheck.HttpGet.serviceHealth(NODE, 10256), HealthCheck.HttpGet.kubeProxyHealthz(NODE));
    }

    @Test
    void theHostHeaderNamesTheTarget() {
        // the whole request is HealthProbeTest's, which sees what the codec writes
        assertEquals(
                "192.0.2.7:10256", HealthCheck.HttpGet.kubeProxyHealthz(NODE).host());
        assertEquals(
                "[2001:db8:0:0:0:0:0:7]:31999",
                HealthCheck.HttpGet.serviceHealth(InetAddress.ofLiteral("2001:db8::7"), 31999)
                        .host());
        assertEquals(
                "[fe80:0:0:0:0:0:0:1]:80",
                new HealthCheck.HttpGet(new InetSocketAddress(InetAddress.ofLiteral("fe80::1%1"), 80), "/").host());
    }

    @Test
    void badTargetsAndPathsAreRefused() {
        var unresolved = InetSocketAddress.createUnresolved("node-a.example", 80);
        assertThrows(IllegalArgumentException.class, () -> new HealthCheck.TcpConnect(unresolved));
        assertThrows(IllegalArgumentException.class, () -> new HealthCheck.TcpConnect(new InetSocketAddress(NODE, 0)));
        assertThrows(NullPointerException.class, () -> new HealthCheck.TcpConnect(null));
        var at = new InetSocketAddress(NODE, 80);
        assertThrows(IllegalArgumentException.class, () -> new HealthCheck.HttpGet(at, "healthz"));
        assertThrows(IllegalArgumentException.class, () -> new HealthCheck.HttpGet(at, "/a b"));
        var injected =
                assertThrows(IllegalArgumentException.class, () -> new HealthCheck.HttpGet(at, "/\r\nX-Forged: 1"));
        assertTrue(injected.getMessage().contains("visible ASCII"), injected.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HealthCheck.HttpGet(at, "/caf\u00e9"));
    }

    @Test
    void resultsSayWhyTheyFailed() {
        assertEquals(new HealthResult(true, -1, ""), HealthResult.passed());
        assertFalse(HealthResult.passed().saidLocalEndpoints());
        assertTrue(HealthResult.passed(0).saidLocalEndpoints());
        assertEquals(
                "failed: HTTP 503 (localEndpoints 0)",
                HealthResult.failed("HTTP 503", 0).toString());
        assertThrows(IllegalArgumentException.class, () -> HealthResult.failed(""));
        assertThrows(IllegalArgumentException.class, () -> HealthResult.passed(-2));
    }
}
