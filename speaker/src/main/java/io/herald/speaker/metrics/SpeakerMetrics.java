package io.herald.speaker.metrics;

import io.herald.speaker.layer2.Announcer;
import io.herald.speaker.layer2.pcap.ResponderPriority;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/** The speaker's metrics, all named herald_speaker_*. */
public final class SpeakerMetrics {

    private final MeterRegistry registry;
    private final AtomicInteger owned = new AtomicInteger();
    private final AtomicInteger alive = new AtomicInteger();
    private final AtomicInteger assigned = new AtomicInteger();
    private final AtomicInteger unowned = new AtomicInteger();
    private final Counter gained, lost;
    private final DistributionSummary detection;
    private final DistributionSummary planning;
    private final java.util.concurrent.atomic.AtomicLong lastBurstNanos = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger lastBurstAddresses = new AtomicInteger();
    private final AtomicInteger kubeProxyArp = new AtomicInteger();

    public SpeakerMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("herald_speaker_owned_addresses", owned, AtomicInteger::get)
                .description("Addresses this node announces now")
                .register(registry);
        Gauge.builder("herald_speaker_members_alive", alive, AtomicInteger::get)
                .description("Speakers this one sees alive, itself included")
                .register(registry);
        // every speaker elects the owner of every address alone, so each one can tell which have none
        Gauge.builder("herald_speaker_assigned_addresses", assigned, AtomicInteger::get)
                .description("Addresses assigned to Services that the speakers announce, as this speaker sees them")
                .register(registry);
        Gauge.builder("herald_speaker_unowned_addresses", unowned, AtomicInteger::get)
                .description(
                        "Assigned addresses that no node may announce now (see the Service's AnnounceFailed condition)")
                .register(registry);
        gained = Counter.builder("herald_speaker_ownership_changes_total")
                .tag("change", "gained")
                .description("Addresses this node started or stopped announcing")
                .register(registry);
        lost = Counter.builder("herald_speaker_ownership_changes_total")
                .tag("change", "lost")
                .description("Addresses this node started or stopped announcing")
                .register(registry);
        Gauge.builder("herald_speaker_kube_proxy_answers_arp", kubeProxyArp, AtomicInteger::get)
                .description("1 while kube-proxy on this node runs in IPVS mode without strictARP, so the node answers"
                        + " ARP for every VIP-mode address (see the Services' KubeProxyIPVSWithoutStrictARP condition)")
                .register(registry);
        Gauge.builder("herald_speaker_last_takeover_addresses", lastBurstAddresses, AtomicInteger::get)
                .description("Addresses gained in the last takeover")
                .register(registry);
        Gauge.builder("herald_speaker_last_takeover_burst_seconds", lastBurstNanos, n -> n.get() / 1e9)
                .description("Time to send the first gratuitous frames of the last takeover")
                .register(registry);
        // seconds, with buckets fine enough to tell 200 ms from 400 ms
        detection = DistributionSummary.builder("herald_speaker_failure_detection_seconds")
                .description("Time from a peer's last sign of life to its being declared dead")
                .serviceLevelObjectives(0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2, 5)
                .publishPercentileHistogram(false)
                .register(registry);
        planning = DistributionSummary.builder("herald_speaker_plan_seconds")
                .description(
                        "Time to work out this node's announcements and conditions from the cluster's state, per plan")
                .serviceLevelObjectives(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1)
                .publishPercentileHistogram(false)
                .register(registry);
    }

    /** One plan (a replan of every address) took {@code nanos}. */
    public void planned(long nanos) {
        planning.record(nanos / 1e9);
    }

    /** The last takeover: how many addresses were gained at once and how long their first frames took to send. */
    public void burst(int addresses, long nanos) {
        lastBurstAddresses.set(addresses);
        lastBurstNanos.set(nanos);
    }

    public void bind(Announcer.Counters c) {
        counter("herald_speaker_arp_requests_total", "ARP requests received", c.arpRequests);
        counter("herald_speaker_arp_replies_total", "ARP replies sent", c.arpReplies);
        counter("herald_speaker_ndp_solicitations_total", "Neighbour solicitations received", c.ndpSolicitations);
        counter(
                "herald_speaker_ndp_advertisements_total",
                "Solicited neighbour advertisements sent",
                c.ndpAdvertisements);
        counter(
                "herald_speaker_gratuitous_frames_total",
                "Gratuitous ARP and unsolicited neighbour advertisements sent",
                c.gratuitous);
        counter(
                "herald_speaker_address_conflicts_total",
                "Announcements by another station of an address this node owns",
                c.conflicts);
    }

    /** How the ARP/NDP responders are scheduled, read at each scrape. */
    public void bindResponder(ResponderPriority p) {
        Gauge.builder("herald_speaker_responder_realtime_threads", p, ResponderPriority::realtimeThreads)
                .description("ARP/NDP answering threads at real-time priority now (0 without CAP_SYS_NICE)")
                .register(registry);
        FunctionCounter.builder("herald_speaker_responder_demotions_total", p, ResponderPriority::demotions)
                .description("Times an answering thread went back to normal priority for using more than its CPU limit")
                .register(registry);
    }

    /** The membership transport's drop counters, read from {@code source} at each scrape. */
    public <T> void bindMembership(
            T source, ToDoubleFunction<T> authFailures, ToDoubleFunction<T> malformed, ToDoubleFunction<T> replayed) {
        FunctionCounter.builder("herald_speaker_membership_auth_failures_total", source, authFailures)
                .description("Membership datagrams dropped because they failed authentication")
                .register(registry);
        FunctionCounter.builder("herald_speaker_membership_malformed_total", source, malformed)
                .description("Membership datagrams dropped as malformed")
                .register(registry);
        FunctionCounter.builder("herald_speaker_membership_replayed_total", source, replayed)
                .description(
                        "Authenticated membership datagrams dropped as repeats of, or older than, ones taken in before")
                .register(registry);
    }

    private void counter(String name, String help, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::doubleValue)
                .description(help)
                .register(registry);
    }

    public void owned(int n) {
        owned.set(n);
    }

    public void alive(int n) {
        alive.set(n);
    }

    /** The addresses the speakers announce (every one, not only this node's) and how many have no owner. */
    public void addresses(int assignedNow, int unownedNow) {
        assigned.set(assignedNow);
        unowned.set(unownedNow);
    }

    public void changes(int gainedNow, int lostNow) {
        gained.increment(gainedNow);
        lost.increment(lostNow);
    }

    public void kubeProxyAnswersArp(boolean yes) {
        kubeProxyArp.set(yes ? 1 : 0);
    }

    public void detected(long nanos) {
        detection.record(nanos / 1e9);
    }
}
