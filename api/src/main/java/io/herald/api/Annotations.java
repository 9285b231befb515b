package io.herald.api;

import java.util.List;

/**
 * The annotations Services use to talk to Herald, with MetalLB's spellings accepted as aliases so
 * that clusters can migrate without editing every Service. Herald's own spelling wins when both are set.
 */
public final class Annotations {

    private Annotations() {}

    public static final String PREFIX = "herald.io/";

    /** Addresses the Service asks for, comma-separated, at most one per family. */
    public static final String LOAD_BALANCER_IPS = PREFIX + "load-balancer-ips";
    /** The IPPool to draw from. */
    public static final String IP_POOL = PREFIX + "ip-pool";
    /** Services with the same key may share an address (disjoint ports, same backends). */
    public static final String SHARING_KEY = PREFIX + "sharing-key";
    /** Proxy mode: prepend a PROXY protocol v2 header ("v2") so backends see the client address. */
    public static final String PROXY_PROTOCOL = PREFIX + "proxy-protocol";
    /** Written by Herald: the pool(s) the Service's addresses came from. */
    public static final String ALLOCATED_FROM_POOL = PREFIX + "allocated-from-pool";

    public static final List<String> LOAD_BALANCER_IPS_ALIASES =
            List.of(LOAD_BALANCER_IPS, "metallb.io/loadBalancerIPs", "metallb.universe.tf/loadBalancerIPs");
    public static final List<String> IP_POOL_ALIASES =
            List.of(IP_POOL, "metallb.io/address-pool", "metallb.universe.tf/address-pool");
    public static final List<String> SHARING_KEY_ALIASES =
            List.of(SHARING_KEY, "metallb.io/allow-shared-ip", "metallb.universe.tf/allow-shared-ip");

    /** Herald's load balancer class, for clusters that run more than one provider. */
    public static final String LOAD_BALANCER_CLASS = "herald.io/lb";

    /** The Service condition Herald writes about allocation. */
    public static final String CONDITION_ALLOCATED = "herald.io/AddressAllocated";
    /** The Service condition the speakers write about announcement. */
    public static final String CONDITION_ANNOUNCED = "herald.io/AddressAnnounced";
    /**
     * Kubernetes' own finalizer for "this Service's load balancer still exists" (the cloud providers' service
     * controller uses it): held while Herald has an address for the Service, so a deleted Service's address
     * is released before the object goes.
     */
    public static final String CLEANUP_FINALIZER = "service.kubernetes.io/load-balancer-cleanup";
}
