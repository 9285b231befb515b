package io.herald.controller.k8s;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the speakers' membership key once: a Secret with 32 random bytes, created if absent and
 * never read, rewritten or deleted. The controller may create Secrets in its namespace but read none,
 * so it cannot tell an existing key's content and does not try: "already exists" is success. An
 * operator who rotates the key edits the Secret; the speakers pick the new key up and still accept
 * the old one meanwhile. The Secret outlives the install (it is not part of the manifests or the
 * chart), so speakers restarted across an upgrade keep talking to the others.
 */
public final class MembershipKeyProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(MembershipKeyProvisioner.class);

    /** What happened on one attempt. */
    public enum Outcome {
        CREATED,
        EXISTS,
        FORBIDDEN,
        FAILED
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String key;

    public MembershipKeyProvisioner(KubernetesClient client, String namespace, String name, String key) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.key = key;
    }

    /** One attempt to create the Secret. */
    public Outcome ensure() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        Secret secret = new SecretBuilder()
                .withNewMetadata()
                .withNamespace(namespace)
                .withName(name)
                .addToLabels("app.kubernetes.io/part-of", "herald")
                .addToLabels("app.kubernetes.io/managed-by", "herald-controller")
                .addToAnnotations(
                        "herald.io/purpose",
                        "authenticates the speakers' membership datagrams; made once by the controller and kept")
                .endMetadata()
                .withType("Opaque")
                .addToData(key, Base64.getEncoder().encodeToString(bytes))
                .build();
        try {
            client.secrets().inNamespace(namespace).resource(secret).create();
            LOG.info("made the speakers' membership key: Secret {}/{}", namespace, name);
            return Outcome.CREATED;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                LOG.debug("membership key Secret {}/{} exists: kept", namespace, name);
                return Outcome.EXISTS;
            }
            if (e.getCode() == HttpURLConnection.HTTP_FORBIDDEN) {
                LOG.warn(
                        "may not create the speakers' membership key Secret {}/{} ({}); if it does not exist, "
                                + "speakers cannot start membership: create it with kubectl create secret generic -n {} {} "
                                + "--from-literal={}=\"$(head -c 32 /dev/urandom | base64)\"",
                        namespace,
                        name,
                        e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage(),
                        namespace,
                        name,
                        key);
                return Outcome.FORBIDDEN;
            }
            LOG.warn(
                    "cannot create the speakers' membership key Secret {}/{} yet: {}", namespace, name, e.getMessage());
            return Outcome.FAILED;
        }
    }

    /** Tries until the Secret exists or creating it is forbidden; for a background thread. */
    public void ensureUntilSettled(Duration retry) throws InterruptedException {
        while (ensure() == Outcome.FAILED) {
            Thread.sleep(retry.toMillis());
        }
    }
}
