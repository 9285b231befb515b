package io.herald.speaker.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.herald.speaker.layer2.pcap.ResponderPriority;
import io.herald.speaker.membership.MembershipSettings;
import io.herald.speaker.metrics.ProxyMetrics;
import io.herald.speaker.metrics.SpeakerMetrics;
import io.herald.speaker.proxy.BackendHealth;
import io.herald.speaker.runtime.ProxyRuntime;
import io.herald.speaker.runtime.SpeakerLoop;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** Wires the domain classes, which carry no framework annotations. */
@Factory
class SpeakerBeans {

    @Singleton
    SpeakerMetrics metrics(MeterRegistry registry) {
        return new SpeakerMetrics(registry);
    }

    @Singleton
    ProxyMetrics proxyMetrics(MeterRegistry registry) {
        return new ProxyMetrics(registry);
    }

    @Singleton
    @Bean(preDestroy = "close")
    SpeakerLoop loop(KubernetesClient client, SpeakerSettings s, SpeakerMetrics metrics, ProxyMetrics proxyMetrics) {
        MembershipSettings m = new MembershipSettings(s.getProbeInterval(), s.getProbeTimeout(), s.getIndirectProbes(),
                s.getSuspicionTimeout(), s.getReconnectInterval(), s.getWarmup(),
                MembershipSettings.defaults().maxPacketBytes());
        return new SpeakerLoop(client, new SpeakerLoop.Settings(s.getNodeName(), s.getPort(), s.getSecretNamespace(),
                s.getSecretName(), s.getSecretKey(), m, s.getInterfacePoll(), s.getResync(), s.getHandover(),
                s.getLoadBalancerClass(), s.isClassless(), proxy(s),
                new ResponderPriority(s.getResponderPriority(), s.getResponderCpuLimit()), s.isIgnoreExcludeLabel(),
                s.getKubeProxyModeUrl(), s.getKubeProxyCheckInterval()),
                metrics, proxyMetrics);
    }

    static ProxyRuntime.Settings proxy(SpeakerSettings s) {
        return new ProxyRuntime.Settings(s.getProxyThreads(), s.getProxyHealthInterval(), s.getProxyHealthTimeout(),
                s.getProxyKubeProxyHealthPort(), new BackendHealth.Thresholds(s.getProxyFailuresToMarkDown(),
                        s.getProxySuccessesToRecover(), 1),
                s.getProxyConnectTimeout(), s.getProxyTcpIdleTimeout(), s.getProxyUdpIdleTimeout(), s.getProxyMaxUdpFlows(),
                s.getProxyNftablesLibrary());
    }
}
