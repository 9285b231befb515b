package io.herald.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.herald.api.model.ServiceKey;

/** What both the controller and the speaker read off a Service object the same way. */
public final class Services {
    private Services() {}

    public static ServiceKey key(HasMetadata s) {
        return new ServiceKey(s.getMetadata().getNamespace(), s.getMetadata().getName());
    }
}
