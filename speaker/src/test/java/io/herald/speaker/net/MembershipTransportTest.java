package io.herald.speaker.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.speaker.Await;
import io.herald.speaker.membership.Member;
import io.herald.speaker.membership.MemberState;
import io.herald.speaker.membership.Membership;
import io.herald.speaker.membership.MembershipKey;
import io.herald.speaker.membership.MembershipSettings;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Two membership transports on loopback: the timers run at the membership's deadlines, on real sockets. */
class MembershipTransportTest {

    static final MembershipKey KEY =
            new MembershipKey("herald-transport-test-key-00001".getBytes(StandardCharsets.UTF_8), null);

    static InetSocketAddress freeUdpAddress() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    static MembershipTransport transport(String name, InetSocketAddress at, long seed) {
        Membership m = new Membership(
                name,
                at,
                new byte[0],
                KEY,
                MembershipSettings.defaults(),
                System.nanoTime(),
                new SplittableRandom(seed));
        return new MembershipTransport(m, at, change -> {});
    }

    static MemberState state(MembershipTransport t, String name) {
        return t.members().stream()
                .filter(m -> m.name().equals(name))
                .map(Member::state)
                .findFirst()
                .orElse(null);
    }

    @Test
    void peersFindEachOtherProbeAtTheirDeadlinesAndSeeAPeerGo() throws Exception {
        InetSocketAddress a = freeUdpAddress();
        InetSocketAddress b = freeUdpAddress();
        try (MembershipTransport ta = transport("a", a, 1)) {
            MembershipTransport tb = transport("b", b, 2);
            try {
                ta.start();
                tb.start();
                ta.setSeeds(Map.of("b", b));
                tb.setSeeds(Map.of("a", a));
                Await.until(
                        "a and b alive to each other",
                        Duration.ofSeconds(5),
                        () -> state(ta, "b") == MemberState.ALIVE && state(tb, "a") == MemberState.ALIVE);

                // steady state: a probe every 100 ms and little else, not a timer every few milliseconds
                long runs = ta.timerRuns();
                long sent = ta.stats().sent();
                Thread.sleep(1_000);
                long perSecond = ta.timerRuns() - runs;
                assertTrue(perSecond >= 5 && perSecond <= 60, perSecond + " timer runs in 1 s");
                assertTrue(ta.stats().sent() - sent >= 5, "a kept probing b");
            } finally {
                tb.close();
            }
            // b is gone without a word: a's probes find it dead (defaults detect well within a second)
            Await.until("a sees b dead", Duration.ofSeconds(5), () -> state(ta, "b") == MemberState.DEAD);
        }
    }

    @Test
    void aPortTakenByAnotherProcessIsRefusedSayingWhich() throws Exception {
        InetSocketAddress at = freeUdpAddress();
        try (java.net.DatagramSocket holder = new java.net.DatagramSocket(at)) {
            MembershipTransport t = transport("node-1", at, 1);
            IllegalStateException e =
                    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, t::start);
            assertTrue(e.getMessage().startsWith("cannot listen on udp " + at + " for membership: "), e.getMessage());
            assertTrue(e.getMessage().contains("HERALD_SPEAKER_PORT"), e.getMessage());
        }
    }
}
