package io.herald.speaker.app;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one Kubernetes client: in-cluster by default, or from a kubeconfig file when one is set. */
@Factory
class KubernetesFactory {

    @Singleton
    @Bean(preDestroy = "close")
    KubernetesClient kubernetesClient(SpeakerSettings settings) {
        Config config;
        if (settings.getKubeconfig() != null && !settings.getKubeconfig().isBlank()) {
            try {
                config = Config.fromKubeconfig(Files.readString(Path.of(settings.getKubeconfig())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kubeconfig " + settings.getKubeconfig(), e);
            }
        } else {
            config = Config.autoConfigure(null);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
