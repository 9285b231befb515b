package io.herald.speaker.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.herald.speaker.host.InterfaceScanner;
import io.herald.speaker.host.KubeProxyProbe;
import io.herald.speaker.host.LoopbackAddresses;
import io.herald.speaker.host.MulticastGroups;
import io.herald.speaker.host.NftablesFilter;
import io.herald.speaker.k8s.AnnouncementWriter;
import io.herald.speaker.k8s.ClusterWatch;
import io.herald.speaker.k8s.MembershipKeySecret;
import io.herald.speaker.layer2.Announcer;
import io.herald.speaker.layer2.PacketPort;
import io.herald.speaker.layer2.pcap.PcapPacketPort;
import io.herald.speaker.layer2.pcap.ResponderPriority;
import io.herald.speaker.membership.Membership;
import io.herald.speaker.membership.MembershipKey;
import io.herald.speaker.membership.MembershipSettings;
import io.herald.speaker.metrics.ProxyMetrics;
import io.herald.speaker.metrics.SpeakerMetrics;
import io.herald.speaker.net.MembershipTransport;
import io.herald.speaker.proxy.BackendHealth;
import io.herald.speaker.runtime.ExecutorScheduler;
import io.herald.speaker.runtime.ProxyRuntime;
import io.herald.speaker.runtime.SpeakerLoop;
import io.herald.speaker.runtime.SpeakerPorts.MembershipPort;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.SplittableRandom;

/** Wires the domain classes, which carry no framework annotations, and the adapters behind the speaker's ports. */
@Factory
class SpeakerBeans {
    /** How often the membership key is read again, to pick up a rotation. */
    static final Duration KEY_POLL = Duration.ofSeconds(30);

    @Singleton
    SpeakerMetrics metrics(MeterRegistry registry) {
        return new SpeakerMetrics(registry);
    }

    @Singleton
    ProxyMetrics proxyMetrics(MeterRegistry registry) {
        return new ProxyMetrics(registry);
    }

    /** The runner's thread; the relay runs on it too. */
    @Singleton
    @Named("speaker")
    ExecutorScheduler speakerThread() {
        return new ExecutorScheduler(Thread.ofPlatform().name("herald-speaker"));
    }

    @Singleton
    @Named("host-checks")
    ExecutorScheduler hostChecksThread() {
        return new ExecutorScheduler(Thread.ofPlatform().daemon().name("herald-kube-proxy-check"));
    }

    @Singleton
    Announcer announcer() {
        return new Announcer();
    }

    @Singleton
    ClusterWatch clusterWatch(KubernetesClient client, SpeakerSettings s) {
        return new ClusterWatch(
                client, new ClusterWatch.Settings(s.getLoadBalancerClass(), s.isClassless(), s.getNodeName()));
    }

    @Singleton
    AnnouncementWriter announcementWriter(KubernetesClient client, ClusterWatch watch, SpeakerSettings s) {
        return new AnnouncementWriter(client, watch::service, s.getNodeName());
    }

    @Singleton
    PacketPort packetPort(Announcer announcer, SpeakerSettings s, SpeakerMetrics metrics) {
        ResponderPriority priority = new ResponderPriority(s.getResponderPriority(), s.getResponderCpuLimit());
        metrics.bindResponder(priority);
        return new PcapPacketPort(announcer::answer, priority);
    }

    @Singleton
    ProxyRuntime relay(SpeakerSettings s, @Named("speaker") ExecutorScheduler thread, ProxyMetrics proxyMetrics) {
        ProxyRuntime.Settings settings = proxy(s);
        return new ProxyRuntime(
                settings,
                thread.executor(),
                proxyMetrics,
                new LoopbackAddresses(),
                NftablesFilter.load(settings.nftablesLibrary()));
    }

    /** Membership over UDP on {@code port}, its datagram numbers growing across restarts (see ReplayWindow). */
    static MembershipPort.Starter membership(SpeakerSettings s, MembershipSettings settings, SpeakerMetrics metrics) {
        return (self, metadata, key, changed) -> {
            Membership membership = new Membership(
                    s.getNodeName(),
                    self,
                    metadata,
                    new MembershipKey(key, null),
                    settings,
                    System.nanoTime(),
                    new SplittableRandom(),
                    System.currentTimeMillis() * 1000);
            MembershipTransport transport = new MembershipTransport(
                    membership, new InetSocketAddress(s.getPort()), c -> changed.accept(c.events()));
            transport.start();
            metrics.bindMembership(
                    transport,
                    t -> t.stats().authFailures(),
                    t -> t.stats().malformed(),
                    t -> t.stats().replayed());
            return transport;
        };
    }

    @Singleton
    @Bean(preDestroy = "close")
    SpeakerLoop loop(
            KubernetesClient client,
            SpeakerSettings s,
            SpeakerMetrics metrics,
            Announcer announcer,
            ClusterWatch watch,
            AnnouncementWriter writer,
            PacketPort packets,
            ProxyRuntime relay,
            @Named("speaker") ExecutorScheduler thread,
            @Named("host-checks") ExecutorScheduler checks) {
        MembershipSettings m = membershipSettings(s);
        KubeProxyProbe probe = new KubeProxyProbe(s.getKubeProxyModeUrl());
        SpeakerLoop.Ports ports = new SpeakerLoop.Ports(
                watch,
                writer,
                new MembershipKeySecret(client, s.getSecretNamespace(), s.getSecretName(), s.getSecretKey()),
                () -> InterfaceScanner.scan(
                        (name, index, mac, up, prefixes) -> new io.herald.speaker.layer2.LocalInterface(
                                name, index, io.herald.speaker.layer2.MacAddress.of(mac), up, prefixes)),
                membership(s, m, metrics),
                packets,
                new MulticastGroups(io.herald.speaker.layer2.NdpCodec::solicitedNodeMulticast),
                relay,
                () -> probe.observe().problem(s.getNodeName()),
                thread,
                checks);
        return new SpeakerLoop(
                new SpeakerLoop.Settings(
                        s.getNodeName(),
                        s.getPort(),
                        m.warmup(),
                        s.getInterfacePoll(),
                        s.getResync(),
                        KEY_POLL,
                        s.getHandover(),
                        s.getKubeProxyCheckInterval(),
                        s.getProxyKubeProxyHealthPort(),
                        s.isIgnoreExcludeLabel()),
                ports,
                announcer,
                metrics);
    }

    static MembershipSettings membershipSettings(SpeakerSettings s) {
        return new MembershipSettings(
                s.getProbeInterval(),
                s.getProbeTimeout(),
                s.getIndirectProbes(),
                s.getSuspicionTimeout(),
                s.getReconnectInterval(),
                s.getWarmup(),
                MembershipSettings.defaults().maxPacketBytes());
    }

    static ProxyRuntime.Settings proxy(SpeakerSettings s) {
        return new ProxyRuntime.Settings(
                s.getProxyThreads(),
                s.getProxyHealthInterval(),
                s.getProxyHealthTimeout(),
                s.getProxyKubeProxyHealthPort(),
                new BackendHealth.Thresholds(s.getProxyFailuresToMarkDown(), s.getProxySuccessesToRecover(), 1),
                s.getProxyConnectTimeout(),
                s.getProxyTcpIdleTimeout(),
                s.getProxyUdpIdleTimeout(),
                s.getProxyMaxUdpFlows(),
                s.getProxyNftablesLibrary());
    }
}
