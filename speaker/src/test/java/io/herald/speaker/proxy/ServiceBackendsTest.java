package io.herald.speaker.proxy;

import static io.herald.speaker.proxy.BackendHealth.State.HEALTHY;
import static io.herald.speaker.proxy.BackendHealth.State.UNHEALTHY;
import static io.herald.speaker.proxy.BackendHealth.State.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.speaker.proxy.BackendPicker.Chosen;
import io.herald.speaker.proxy.BackendPicker.NoBackend;
import io.herald.speaker.proxy.BackendPicker.Reason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServiceBackendsTest {

    static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.ofLiteral("192.0.2.9"), 50000);

    static Backend b(String node, int port, int weight) {
        return new Backend(
                node,
                new InetSocketAddress(InetAddress.ofLiteral("10.0.0." + (node.charAt(0) - 'a' + 1)), port),
                weight);
    }

    static String pickNode(ServiceBackends s, Set<String> excluded) {
        return switch (s.pick(CLIENT, 0, excluded)) {
            case Chosen c -> c.backend().node();
            case NoBackend n -> n.reason().name();
        };
    }

    @Test
    void localNeedsAHealthCheckAnswerAndTakesItsWeightFromIt() {
        ServiceBackends s = new ServiceBackends(
                "shop/web:443", TrafficPolicy.LOCAL, SessionAffinity.NONE, BackendHealth.Thresholds.DEFAULT);
        s.update(List.of(b("a", 30443, 1), b("b", 30443, 1)), 0);
        assertEquals(Reason.NONE_HEALTHY.name(), pickNode(s, Set.of()), "Local: nothing before the first 200");
        s.activeSuccess("a", 3, 1);
        s.activeSuccess("b", 1, 1);
        assertEquals(Map.of("a", HEALTHY, "b", HEALTHY), s.health());
        StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            seq.append(pickNode(s, Set.of()));
        }
        assertEquals("aaba", seq.toString());
        s.activeSuccess("a", 0, 2);
        assertEquals("b", pickNode(s, Set.of()), "a reports no local endpoints now");
        s.activeSuccess("b", 0, 2);
        assertEquals(Reason.NO_LOCAL_ENDPOINTS.name(), pickNode(s, Set.of()));
    }

    @Test
    void passiveFailureTakesANodeOutAndHealthSurvivesAnUpdateThatKeepsItsAddress() {
        ServiceBackends s = new ServiceBackends(
                "shop/web:80", TrafficPolicy.CLUSTER, SessionAffinity.NONE, BackendHealth.Thresholds.DEFAULT);
        s.update(List.of(b("a", 30080, 1), b("b", 30080, 1)), 0);
        assertEquals("a", pickNode(s, Set.of()), "Cluster: a Ready node is used before its first check");
        assertTrue(s.passiveFailure(b("a", 30080, 1), "refused", 1).isPresent());
        assertEquals("b", pickNode(s, Set.of()));
        assertEquals("b", pickNode(s, Set.of()));
        assertEquals(Reason.ALL_TRIED.name(), pickNode(s, Set.of("b")));

        s.update(List.of(b("a", 30080, 1), b("b", 30080, 1), b("c", 30080, 1)), 2);
        assertEquals(Map.of("a", UNHEALTHY, "b", UNKNOWN, "c", UNKNOWN), s.health());
        s.update(List.of(b("a", 31080, 1), b("c", 30080, 1)), 3);
        assertEquals(Map.of("a", UNKNOWN, "c", UNKNOWN), s.health(), "a new NodePort is a new backend");
        assertEquals(List.of(b("a", 31080, 1), b("c", 30080, 1)), s.backends());
        assertTrue(s.passiveFailure(b("a", 30080, 1), "refused", 4).isEmpty(), "a failure at the old port is stale");
        assertTrue(s.activeFailure("zzz", "gone", 4).isEmpty());
        assertThrows(IllegalArgumentException.class, () -> s.update(List.of(b("a", 1, 1), b("a", 2, 1)), 5));
    }

    @Test
    void theLastBackendInRotationStaysThroughPassiveFailuresAndGoesOnlyOnItsOwnActiveFailures() {
        ServiceBackends s = new ServiceBackends(
                "shop/web:80", TrafficPolicy.CLUSTER, SessionAffinity.NONE, BackendHealth.Thresholds.DEFAULT);
        s.update(List.of(b("a", 30080, 1), b("b", 30080, 1)), 0);
        s.activeSuccess("a", 1);
        s.activeSuccess("b", 1);
        s.activeFailure("b", "timed out", 2);
        s.activeFailure("b", "timed out", 3);
        assertEquals(Map.of("a", HEALTHY, "b", UNHEALTHY), s.health(), "b's node is gone");
        // connects through a's NodePort that kube-proxy sent to a pod on b's node time out
        assertTrue(s.passiveFailure(b("a", 30080, 1), "timed out", 4).isEmpty(), "a is the last one in rotation");
        assertEquals(Map.of("a", HEALTHY, "b", UNHEALTHY), s.health());
        assertEquals("a", pickNode(s, Set.of()));
        s.activeSuccess("b", 5);
        s.activeSuccess("b", 6);
        assertEquals(Map.of("a", HEALTHY, "b", HEALTHY), s.health());
        assertEquals(
                UNHEALTHY,
                s.passiveFailure(b("a", 30080, 1), "refused", 7).orElseThrow().to(),
                "with b back, a failed connect takes a out at once again");
        s.activeFailure("a", "refused", 8);
        s.activeFailure("b", "refused", 8);
        s.activeFailure("b", "refused", 9);
        assertEquals(Map.of("a", UNHEALTHY, "b", UNHEALTHY), s.health(), "active failures take out the last one too");

        ServiceBackends local = new ServiceBackends(
                "shop/web:443", TrafficPolicy.LOCAL, SessionAffinity.NONE, BackendHealth.Thresholds.DEFAULT);
        local.update(List.of(b("a", 30443, 1), b("b", 30443, 1)), 0);
        local.activeSuccess("a", 1, 1);
        local.activeSuccess("b", 0, 1);
        assertTrue(
                local.passiveFailure(b("a", 30443, 1), "timed out", 2).isEmpty(),
                "Local: b has no local endpoints, so a is the last in rotation");
    }
}
