package io.herald.speaker.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.herald.speaker.runtime.SpeakerPorts;
import java.util.Base64;
import java.util.Optional;

/** The membership key, read from the Secret the controller makes (base64 in the API, at least 16 bytes). */
public final class MembershipKeySecret implements SpeakerPorts.KeySource {
    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String key;

    public MembershipKeySecret(KubernetesClient client, String namespace, String name, String key) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.key = key;
    }

    @Override
    public Optional<byte[]> read() {
        Secret s;
        try {
            s = client.secrets().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new Unreadable(e.getMessage(), e);
        }
        if (s == null || s.getData() == null || s.getData().get(key) == null) {
            return Optional.empty();
        }
        byte[] k = Base64.getDecoder().decode(s.getData().get(key).trim());
        return k.length >= 16 ? Optional.of(k) : Optional.empty();
    }

    @Override
    public String where() {
        return "Secret " + namespace + "/" + name;
    }

    @Override
    public String keyName() {
        return key;
    }
}
