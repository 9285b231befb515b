package io.herald.api.model;

/** How traffic for a pool's addresses reaches the Service: through kube-proxy, or relayed by the speaker. */
public enum TrafficMode {
    VIP,
    Proxy;

    public static TrafficMode of(String name) {
        if (name == null || name.isEmpty()) {
            return VIP;
        }
        for (TrafficMode m : values()) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown trafficMode \"" + name + "\" (VIP or Proxy)");
    }
}
