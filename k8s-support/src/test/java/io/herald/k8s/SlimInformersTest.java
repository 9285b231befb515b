package io.herald.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlimInformersTest {

    static Service service(Map<String, String> annotations) {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName("web")
                .withNamespace("shop")
                .withResourceVersion("7")
                .withAnnotations(annotations)
                .withManagedFields(new ManagedFieldsEntryBuilder()
                        .withManager("kubectl")
                        .withOperation("Update")
                        .build())
                .endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .endSpec()
                .build();
    }

    @Test
    void dropsManagedFieldsAndTheLastAppliedConfigurationAndKeepsEverythingElse() {
        Service s = service(Map.of(SlimInformers.LAST_APPLIED, "{\"kind\":\"Service\"}", "herald.io/ip-pool", "lan"));
        assertSame(s, SlimInformers.slim(s));
        assertNull(s.getMetadata().getManagedFields());
        assertEquals(Map.of("herald.io/ip-pool", "lan"), s.getMetadata().getAnnotations());
        assertEquals("web", s.getMetadata().getName());
        assertEquals("7", s.getMetadata().getResourceVersion());
        assertEquals("LoadBalancer", s.getSpec().getType());
    }

    @Test
    void objectsWithoutEitherAreLeftAlone() {
        Service s = service(null);
        s.getMetadata().setManagedFields(null);
        SlimInformers.slim(s);
        assertNull(s.getMetadata().getAnnotations());
        assertNull(SlimInformers.slim(null));
    }

    @Test
    void theStoreSlimsWhatItKeepsUnderTheNamespacedKey() {
        var store = new SlimInformers.Store<Service>();
        Service s = service(Map.of(SlimInformers.LAST_APPLIED, "{}"));
        store.put(store.getKey(s), s);
        Service kept = store.get("shop/web");
        assertNull(kept.getMetadata().getManagedFields());
        assertEquals(Map.of(), kept.getMetadata().getAnnotations());
    }
}
