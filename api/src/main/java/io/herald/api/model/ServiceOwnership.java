package io.herald.api.model;

import java.util.Objects;

/**
 * Which Services are Herald's: those of type LoadBalancer whose loadBalancerClass is Herald's, or
 * that have none when Herald is the cluster's default provider. The controller and the speaker both
 * ask, and must agree, or an address would be assigned and never announced.
 *
 * @param loadBalancerClass the class Herald serves
 * @param classless         whether Services without a loadBalancerClass are Herald's too
 */
public record ServiceOwnership(String loadBalancerClass, boolean classless) {

    public static final String LOAD_BALANCER = "LoadBalancer";

    /** Whether a Service of this type and class is Herald's. */
    public boolean isOurs(String type, String serviceClass) {
        return LOAD_BALANCER.equals(type) && classIsOurs(serviceClass);
    }

    /** Whether the class (or its absence, null) is Herald's, whatever the Service's type. */
    public boolean classIsOurs(String serviceClass) {
        return serviceClass == null ? classless : Objects.equals(loadBalancerClass, serviceClass);
    }
}
