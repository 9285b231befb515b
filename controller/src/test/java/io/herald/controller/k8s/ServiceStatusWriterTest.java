package io.herald.controller.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.herald.api.Annotations;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The writer's two decisions about the pool annotation: what to send with the status patch, and
 * whether the Service the API server returned shows that it dropped what was sent, so the
 * annotation must go by a separate patch.
 */
class ServiceStatusWriterTest {

    private static final String KEY = Annotations.ALLOCATED_FROM_POOL;

    static Service service(String pool) {
        Map<String, String> annotations = new HashMap<>();
        annotations.put("other.test/keep", "1");
        if (pool != null) {
            annotations.put(KEY, pool);
        }
        return new ServiceBuilder()
                .withNewMetadata()
                .withName("web")
                .withNamespace("ns")
                .withAnnotations(annotations)
                .endMetadata()
                .build();
    }

    static Service bare() {
        return new ServiceBuilder()
                .withNewMetadata()
                .withName("web")
                .withNamespace("ns")
                .endMetadata()
                .build();
    }

    static Map<String, Object> set(String pool) {
        Map<String, Object> m = new HashMap<>();
        m.put(KEY, pool);
        return m;
    }

    static Stream<Arguments> annotationPatches() {
        return Stream.of(
                Arguments.of("not in the cache: set it", null, "a", set("a")),
                Arguments.of("no annotations at all: set it", bare(), "a", set("a")),
                Arguments.of("another pool: set it", service("b"), "a", set("a")),
                Arguments.of("already there: send nothing", service("a"), "a", null),
                Arguments.of("to remove and present: remove it", service("a"), null, set(null)),
                Arguments.of("to remove and absent: send nothing", service(null), null, null),
                Arguments.of("to remove, no annotations at all: send nothing", bare(), null, null),
                Arguments.of("to remove, not in the cache: send nothing", null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("annotationPatches")
    void annotationPatch(String name, Service cached, String pool, Map<String, Object> expected) {
        assertEquals(expected, ServiceStatusWriter.annotationPatch(cached, pool));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("annotationPatches")
    void aRemovalIsSentAsJsonNull(String name, Service cached, String pool, Map<String, Object> expected) {
        Map<String, Object> patch = ServiceStatusWriter.annotationPatch(cached, pool);
        if (patch != null) { // a dropped null would leave the annotation in place, silently
            assertEquals(
                    "{\"" + KEY + "\":" + (pool == null ? "null" : "\"" + pool + "\"") + "}",
                    new KubernetesSerialization().asJson(patch));
        }
    }

    static Stream<Arguments> returnedServices() {
        return Stream.of(
                Arguments.of("nothing sent: nothing to check", null, service("b"), "a", false),
                Arguments.of("nothing sent, nothing returned", null, null, "a", false),
                Arguments.of("set and kept", set("a"), service("a"), "a", false),
                Arguments.of("set and dropped: no annotation", set("a"), service(null), "a", true),
                Arguments.of("set and dropped: no annotations at all", set("a"), bare(), "a", true),
                Arguments.of("set and dropped: the old pool stays", set("a"), service("b"), "a", true),
                Arguments.of("set, nothing returned: cannot tell it was kept", set("a"), null, "a", true),
                Arguments.of("removed and kept", set(null), service(null), null, false),
                Arguments.of("removed and kept, no annotations left", set(null), bare(), null, false),
                Arguments.of("removed and dropped: the old pool stays", set(null), service("b"), null, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("returnedServices")
    void droppedAnnotationFallsBackToASeparatePatch(
            String name, Map<String, Object> sent, Service returned, String pool, boolean fallBack) {
        assertEquals(fallBack, ServiceStatusWriter.droppedAnnotation(sent, returned, pool));
    }
}
