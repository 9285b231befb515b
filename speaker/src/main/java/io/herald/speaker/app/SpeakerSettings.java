package io.herald.speaker.app;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;

/** The speaker's settings ({@code herald.speaker.*}, or HERALD_SPEAKER_* in the environment). */
@ConfigurationProperties("herald.speaker")
public class SpeakerSettings {

    /** The node this speaker runs on: the DaemonSet passes spec.nodeName as NODE_NAME. */
    @NotBlank
    private String nodeName = System.getenv().getOrDefault("NODE_NAME", "");
    /** UDP port of the membership protocol on every node. */
    @Min(1)
    @Max(65535)
    private int port = 7946;
    /** The Secret holding the key that authenticates membership datagrams. */
    @NotBlank
    private String secretNamespace = "herald-system";

    @NotBlank
    private String secretName = "herald-memberlist";

    @NotBlank
    private String secretKey = "key";

    private String loadBalancerClass = "herald.io/lb";
    private boolean classless = true;
    /**
     * Let nodes labelled node.kubernetes.io/exclude-from-external-load-balancers announce and be Proxy-mode
     * backends (MetalLB's --ignore-exclude-lb). kubeadm labels every control-plane node so; on a cluster of
     * control-plane nodes only, honouring the label would leave every address unannounced. Set it alike on
     * every speaker: each elects owners alone, and speakers that disagree on eligibility disagree on owners.
     */
    private boolean ignoreExcludeLabel = false;
    /**
     * kube-proxy's mode report on its metrics address (kubeadm's default), read to tell IPVS mode without
     * strictARP; the kube-ipvs0 interface tells it too when this cannot be reached.
     */
    private java.net.URI kubeProxyModeUrl = java.net.URI.create("http://127.0.0.1:10249/proxyMode");
    /** How often the speaker looks at kube-proxy's mode and the node's ARP settings. */
    private Duration kubeProxyCheckInterval = Duration.ofSeconds(15);

    private Duration probeInterval = Duration.ofMillis(100);
    private Duration probeTimeout = Duration.ofMillis(40);

    @Min(0)
    @Max(8)
    private int indirectProbes = 2;

    private Duration suspicionTimeout = Duration.ofMillis(150);
    private Duration reconnectInterval = Duration.ofMillis(500);
    /** How long a (re)joined speaker waits before it takes addresses back. */
    private Duration warmup = Duration.ofSeconds(2);

    private Duration interfacePoll = Duration.ofMillis(200);
    private Duration resync = Duration.ofSeconds(10);
    /** On a graceful stop: how long to keep answering after telling the peers, while they take over. */
    private Duration handover = Duration.ofMillis(300);
    /**
     * SCHED_FIFO priority of the threads that answer ARP and neighbour solicitations (1-99), or 0 for
     * normal priority. Needs CAP_SYS_NICE; without it the speaker logs so and runs them at normal priority.
     */
    @Min(0)
    @Max(99)
    private int responderPriority = 10;
    /** The share of one CPU an answering thread may use and keep real-time priority (above 0, at most 1). */
    @jakarta.validation.constraints.DecimalMin(value = "0", inclusive = false)
    @jakarta.validation.constraints.DecimalMax("1")
    private double responderCpuLimit = 0.5;
    /** Proxy mode: relay event-loop threads (0: one per processor). */
    @Min(0)
    private int proxyThreads = 0;
    /** Proxy mode: how often every backend node is checked, and how long one check may take. */
    private Duration proxyHealthInterval = Duration.ofSeconds(1);

    private Duration proxyHealthTimeout = Duration.ofMillis(500);
    /** Proxy mode: kube-proxy's healthz port, also checked for Cluster Services (0: not checked). */
    @Min(0)
    @Max(65535)
    private int proxyKubeProxyHealthPort = 10256;
    /** Proxy mode: failed checks in a row before a healthy node goes out; passes before it comes back. */
    @Min(1)
    private int proxyFailuresToMarkDown = 2;

    @Min(1)
    private int proxySuccessesToRecover = 2;

    private Duration proxyConnectTimeout = Duration.ofSeconds(2);
    private Duration proxyTcpIdleTimeout = Duration.ofHours(1);
    private Duration proxyUdpIdleTimeout = Duration.ofSeconds(60);

    @Min(1)
    private int proxyMaxUdpFlows = 16_384;
    /**
     * Proxy mode: libnftables, through which the owner drops everything sent to its Proxy addresses
     * but their Services' ports and ICMP (the image carries it and sets LD_LIBRARY_PATH).
     */
    @NotBlank
    private String proxyNftablesLibrary = "libnftables.so.1";
    /** A kubeconfig to use instead of the in-cluster service account (for running outside a cluster). */
    private String kubeconfig;

    public String getNodeName() {
        return nodeName;
    }

    public void setNodeName(String v) {
        nodeName = v;
    }

    public int getPort() {
        return port;
    }

    public void setPort(int v) {
        port = v;
    }

    public String getSecretNamespace() {
        return secretNamespace;
    }

    public void setSecretNamespace(String v) {
        secretNamespace = v;
    }

    public String getSecretName() {
        return secretName;
    }

    public void setSecretName(String v) {
        secretName = v;
    }

    public String getSecretKey() {
        return secretKey;
    }

    public void setSecretKey(String v) {
        secretKey = v;
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

    public boolean isIgnoreExcludeLabel() {
        return ignoreExcludeLabel;
    }

    public java.net.URI getKubeProxyModeUrl() {
        return kubeProxyModeUrl;
    }

    public void setKubeProxyModeUrl(java.net.URI v) {
        kubeProxyModeUrl = v;
    }

    public Duration getKubeProxyCheckInterval() {
        return kubeProxyCheckInterval;
    }

    public void setKubeProxyCheckInterval(Duration v) {
        kubeProxyCheckInterval = v;
    }

    public void setIgnoreExcludeLabel(boolean v) {
        ignoreExcludeLabel = v;
    }

    public Duration getProbeInterval() {
        return probeInterval;
    }

    public void setProbeInterval(Duration v) {
        probeInterval = v;
    }

    public Duration getProbeTimeout() {
        return probeTimeout;
    }

    public void setProbeTimeout(Duration v) {
        probeTimeout = v;
    }

    public int getIndirectProbes() {
        return indirectProbes;
    }

    public void setIndirectProbes(int v) {
        indirectProbes = v;
    }

    public Duration getSuspicionTimeout() {
        return suspicionTimeout;
    }

    public void setSuspicionTimeout(Duration v) {
        suspicionTimeout = v;
    }

    public Duration getReconnectInterval() {
        return reconnectInterval;
    }

    public void setReconnectInterval(Duration v) {
        reconnectInterval = v;
    }

    public Duration getWarmup() {
        return warmup;
    }

    public void setWarmup(Duration v) {
        warmup = v;
    }

    public Duration getInterfacePoll() {
        return interfacePoll;
    }

    public void setInterfacePoll(Duration v) {
        interfacePoll = v;
    }

    public Duration getResync() {
        return resync;
    }

    public void setResync(Duration v) {
        resync = v;
    }

    public int getProxyThreads() {
        return proxyThreads;
    }

    public void setProxyThreads(int v) {
        proxyThreads = v;
    }

    public Duration getProxyHealthInterval() {
        return proxyHealthInterval;
    }

    public void setProxyHealthInterval(Duration v) {
        proxyHealthInterval = v;
    }

    public Duration getProxyHealthTimeout() {
        return proxyHealthTimeout;
    }

    public void setProxyHealthTimeout(Duration v) {
        proxyHealthTimeout = v;
    }

    public int getProxyKubeProxyHealthPort() {
        return proxyKubeProxyHealthPort;
    }

    public void setProxyKubeProxyHealthPort(int v) {
        proxyKubeProxyHealthPort = v;
    }

    public int getProxyFailuresToMarkDown() {
        return proxyFailuresToMarkDown;
    }

    public void setProxyFailuresToMarkDown(int v) {
        proxyFailuresToMarkDown = v;
    }

    public int getProxySuccessesToRecover() {
        return proxySuccessesToRecover;
    }

    public void setProxySuccessesToRecover(int v) {
        proxySuccessesToRecover = v;
    }

    public Duration getProxyConnectTimeout() {
        return proxyConnectTimeout;
    }

    public void setProxyConnectTimeout(Duration v) {
        proxyConnectTimeout = v;
    }

    public Duration getProxyTcpIdleTimeout() {
        return proxyTcpIdleTimeout;
    }

    public void setProxyTcpIdleTimeout(Duration v) {
        proxyTcpIdleTimeout = v;
    }

    public Duration getProxyUdpIdleTimeout() {
        return proxyUdpIdleTimeout;
    }

    public void setProxyUdpIdleTimeout(Duration v) {
        proxyUdpIdleTimeout = v;
    }

    public int getProxyMaxUdpFlows() {
        return proxyMaxUdpFlows;
    }

    public void setProxyMaxUdpFlows(int v) {
        proxyMaxUdpFlows = v;
    }

    public String getProxyNftablesLibrary() {
        return proxyNftablesLibrary;
    }

    public void setProxyNftablesLibrary(String v) {
        proxyNftablesLibrary = v;
    }

    public Duration getHandover() {
        return handover;
    }

    public void setHandover(Duration v) {
        handover = v;
    }

    public int getResponderPriority() {
        return responderPriority;
    }

    public void setResponderPriority(int v) {
        responderPriority = v;
    }

    public double getResponderCpuLimit() {
        return responderCpuLimit;
    }

    public void setResponderCpuLimit(double v) {
        responderCpuLimit = v;
    }

    public String getKubeconfig() {
        return kubeconfig;
    }

    public void setKubeconfig(String v) {
        kubeconfig = v;
    }
}
