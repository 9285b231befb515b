package io.herald.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.herald.k8s.SlimInformers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * SpeakerBenchmark's memory reference: a JVM run with the speaker's own options and classpath that
 * does nothing but what every fabric8-based speaker must, keep the speaker's informers (Nodes,
 * Services, EndpointSlices, with the same slim caches). Its RSS is the floor under the speaker's.
 * Prints the cached counts every second.
 */
public final class InformerFloor {
    private InformerFloor() {}

    public static void main(String[] args) throws Exception {
        Config config = Config.fromKubeconfig(Files.readString(Path.of(args[0])));
        KubernetesClient client =
                new KubernetesClientBuilder().withConfig(config).build();
        ResourceEventHandler<Object> none = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object o) {}

            @Override
            public void onUpdate(Object a, Object b) {}

            @Override
            public void onDelete(Object o, boolean unknown) {}
        };
        List<SharedIndexInformer<?>> informers = List.of(
                SlimInformers.inform(client.nodes(), none),
                SlimInformers.inform(client.services().inAnyNamespace(), none),
                SlimInformers.inform(client.discovery().v1().endpointSlices().inAnyNamespace(), none));
        while (true) {
            System.out.println("cached "
                    + informers.stream()
                            .mapToInt(i -> i.getStore().list().size())
                            .sum());
            Thread.sleep(1000);
        }
    }
}
