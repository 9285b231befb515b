package io.herald.migrate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.herald.api.v1alpha1.IPPool;
import io.herald.testkit.ApiServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the converter writes is what the real API server accepts under Herald's CRD, and nothing of it
 * is pruned on the way: every form it produces (ranges, IPv6, host bits masked, escaped interface
 * names, the never-matching nodeSelector, the empty serviceSelector, priority 1,000,000) is created
 * and read back.
 */
@ExtendWith(ApiServer.class)
class MetalLbMigrationIT {

    private static final String MORE = """
            ---
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: first, namespace: metallb-system}
            spec:
              addresses: [10.20.0.9/24, "10.21.0.1 - 10.21.0.9", "fd00:20::/120"]
              serviceAllocation: {namespaceSelectors: [{matchLabels: {team: web}}]}
            ---
            apiVersion: metallb.io/v1beta1
            kind: IPAddressPool
            metadata: {name: anyone-first, namespace: metallb-system}
            spec:
              addresses: [10.22.0.0/30]
              serviceAllocation: {priority: 3}
            """;

    @BeforeAll
    static void installCrd(ApiServer server) {
        server.installIpPoolCrd();
    }

    @Test
    void theApiServerAcceptsTheConvertedPoolsAndKeepsEveryField(ApiServer server) throws IOException {
        MetalLbMigrationCommandTest.Run r = MetalLbMigrationCommandTest.run(
                MetalLbMigrationCommandTest.METALLB + MORE + MetalLbMigrationCommandTest.BGP, "--ignore-bgp");
        assertEquals(0, r.exit(), r.err());
        KubernetesClient client = server.admin();
        // Read as plain maps, not through the IPPool class, so no field is dropped before the server sees it.
        List<Object> docs =
                MetalLbMigrationCommand.read(new ByteArrayInputStream(r.out().getBytes(StandardCharsets.UTF_8)));
        List<GenericKubernetesResource> items = docs.stream()
                .map(d -> client.getKubernetesSerialization().convertValue(d, GenericKubernetesResource.class))
                .toList();
        assertEquals(
                List.of("office", "spare", "first", "anyone-first"),
                items.stream().map(i -> i.getMetadata().getName()).toList());
        for (GenericKubernetesResource sent : items) {
            client.resource(sent).create();
            GenericKubernetesResource stored = client.genericKubernetesResources(
                            IPPool.GROUP + "/" + IPPool.VERSION, "IPPool")
                    .withName(sent.getMetadata().getName())
                    .get();
            Map<?, ?> sentSpec = (Map<?, ?>) sent.getAdditionalProperties().get("spec");
            Map<?, ?> storedSpec = (Map<?, ?>) stored.getAdditionalProperties().get("spec");
            assertContains("spec", sentSpec, storedSpec);
            assertEquals("VIP", storedSpec.get("trafficMode"), "defaults applied");
        }
        IPPool first = client.resources(IPPool.class).withName("first").get();
        assertEquals(
                List.of("10.20.0.0/24", "10.21.0.1-10.21.0.9", "fd00:20::/120"),
                first.getSpec().getAddresses());
        IPPool anyone = client.resources(IPPool.class).withName("anyone-first").get();
        assertEquals(3, anyone.getSpec().getAllocation().getPriority());
        assertTrue(anyone.getSpec().getAllocation().getServiceSelector() != null, "the empty serviceSelector is kept");
        assertEquals(
                1_000_000,
                client.resources(IPPool.class)
                        .withName("first")
                        .get()
                        .getSpec()
                        .getAllocation()
                        .getPriority());
    }

    /** Everything in {@code sent} is in {@code stored} with the same value; the server may add defaults. */
    private static void assertContains(String where, Object sent, Object stored) {
        if (sent instanceof Map<?, ?> s) {
            assertTrue(stored instanceof Map<?, ?>, where + " is no longer an object: " + stored);
            Map<?, ?> t = (Map<?, ?>) stored;
            s.forEach((k, v) -> {
                assertTrue(t.containsKey(k), where + "." + k + " was pruned by the API server");
                assertContains(where + "." + k, v, t.get(k));
            });
        } else if (sent instanceof List<?> s) {
            assertTrue(stored instanceof List<?> l && l.size() == s.size(), where + " changed: " + stored);
            for (int i = 0; i < s.size(); i++) {
                assertContains(where + "[" + i + "]", s.get(i), ((List<?>) stored).get(i));
            }
        } else {
            assertEquals(String.valueOf(sent), String.valueOf(stored), where);
        }
    }
}
