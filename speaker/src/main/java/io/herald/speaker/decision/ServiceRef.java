package io.herald.speaker.decision;

/** A Service by namespace and name. */
public record ServiceRef(String namespace, String name) implements Comparable<ServiceRef> {
    @Override
    public int compareTo(ServiceRef o) {
        int c = namespace.compareTo(o.namespace);
        return c != 0 ? c : name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
