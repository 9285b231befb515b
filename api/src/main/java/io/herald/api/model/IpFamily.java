package io.herald.api.model;

/** An address family, named as Kubernetes names them in {@code spec.ipFamilies}. */
public enum IpFamily {
    IPv4(32),
    IPv6(128);

    private final int bits;

    IpFamily(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    /** The family by its Kubernetes name ("IPv4", "IPv6"). */
    public static IpFamily of(String name) {
        for (IpFamily f : values()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown IP family \"" + name + "\" (IPv4 or IPv6)");
    }
}
