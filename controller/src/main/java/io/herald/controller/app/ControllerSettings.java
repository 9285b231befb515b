package io.herald.controller.app;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;

/** The controller's settings ({@code herald.controller.*}, or HERALD_CONTROLLER_* in the environment). */
@ConfigurationProperties("herald.controller")
public class ControllerSettings {

    /** The loadBalancerClass Herald serves. */
    @NotBlank
    private String loadBalancerClass = "herald.io/lb";
    /** Whether Services without a loadBalancerClass are Herald's (Herald as the cluster's default provider). */
    private boolean classless = true;
    /** The Lease that elects the one writing replica. */
    @NotBlank
    private String leaseName = "herald-controller";

    @NotBlank
    private String leaseNamespace = "herald-system";
    /** This replica's name in the Lease; the pod name in a cluster. */
    @NotBlank
    private String identity = defaultIdentity();

    private Duration leaseDuration = Duration.ofSeconds(15);
    private Duration renewDeadline = Duration.ofSeconds(10);
    private Duration retryPeriod = Duration.ofSeconds(2);
    /** Threads writing Service status; writes for one Service stay in order. */
    @Min(1)
    @Max(64)
    private int writers = 8;
    /**
     * How often every Service, Namespace and IPPool is handed to the controller again, changed or not,
     * so that whatever a lost event or a failed write left undone is done; zero: never.
     */
    private Duration resync = Duration.ofMinutes(5);
    /** A kubeconfig to use instead of the in-cluster service account (for running outside a cluster). */
    private String kubeconfig;
    /** The speakers' membership key Secret, made once if absent (in the lease namespace); empty: never made. */
    private String membershipSecretName = "herald-memberlist";

    @NotBlank
    private String membershipSecretKey = "key";

    private static String defaultIdentity() {
        String pod = System.getenv("POD_NAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName() + "-"
                    + ProcessHandle.current().pid();
        } catch (java.net.UnknownHostException e) {
            return "herald-controller-" + ProcessHandle.current().pid();
        }
    }

    public String getLoadBalancerClass() {
        return loadBalancerClass;
    }

    public void setLoadBalancerClass(String v) {
        loadBalancerClass = v;
    }

    public boolean isClassless() {
        return classless;
    }

    public void setClassless(boolean v) {
        classless = v;
    }

    public String getLeaseName() {
        return leaseName;
    }

    public void setLeaseName(String v) {
        leaseName = v;
    }

    public String getLeaseNamespace() {
        return leaseNamespace;
    }

    public void setLeaseNamespace(String v) {
        leaseNamespace = v;
    }

    public String getIdentity() {
        return identity;
    }

    public void setIdentity(String v) {
        identity = v;
    }

    public Duration getLeaseDuration() {
        return leaseDuration;
    }

    public void setLeaseDuration(Duration v) {
        leaseDuration = v;
    }

    public Duration getRenewDeadline() {
        return renewDeadline;
    }

    public void setRenewDeadline(Duration v) {
        renewDeadline = v;
    }

    public Duration getRetryPeriod() {
        return retryPeriod;
    }

    public void setRetryPeriod(Duration v) {
        retryPeriod = v;
    }

    public int getWriters() {
        return writers;
    }

    public void setWriters(int v) {
        writers = v;
    }

    public Duration getResync() {
        return resync;
    }

    public void setResync(Duration v) {
        resync = v;
    }

    public String getKubeconfig() {
        return kubeconfig;
    }

    public void setKubeconfig(String v) {
        kubeconfig = v;
    }

    public String getMembershipSecretName() {
        return membershipSecretName;
    }

    public void setMembershipSecretName(String v) {
        membershipSecretName = v;
    }

    public String getMembershipSecretKey() {
        return membershipSecretKey;
    }

    public void setMembershipSecretKey(String v) {
        membershipSecretKey = v;
    }
}
