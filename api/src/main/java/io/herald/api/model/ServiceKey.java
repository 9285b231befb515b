package io.herald.api.model;

/**
 * A Service by namespace and name. Its text form, namespace/name, is also the key an informer's
 * store files the Service under.
 */
public record ServiceKey(String namespace, String name) implements Comparable<ServiceKey> {
    @Override
    public int compareTo(ServiceKey o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
