package io.herald.speaker.proxy.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.herald.speaker.proxy.Backend;
import io.herald.speaker.proxy.BackendPicker;
import io.herald.speaker.proxy.RelayCounters;
import io.herald.speaker.proxy.RelayCounters.Refusal;
import io.herald.speaker.proxy.SourceRanges;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The handlers' decisions before any backend is involved, on EmbeddedChannel. */
class RelayHandlersTest {

    static final InetSocketAddress SERVICE = new InetSocketAddress(InetAddress.ofLiteral("198.51.100.10"), 443);
    static final SourceRanges OFFICE = SourceRanges.parse(List.of("203.0.113.0/24"));

    /** Answers every pick with one fixed result and records who asked. */
    static final class RecordingChooser implements BackendChooser {
        final BackendPicker.Pick answer;
        final List<InetSocketAddress> asked = new ArrayList<>();
        final List<Backend> failed = new ArrayList<>();

        RecordingChooser(BackendPicker.Pick answer) {
            this.answer = answer;
        }

        @Override
        public BackendPicker.Pick pick(InetSocketAddress client, Set<String> excludedNodes) {
            asked.add(client);
            return answer;
        }

        @Override
        public void failed(Backend backend, Throwable cause) {
            failed.add(backend);
        }
    }

    static final BackendPicker.Pick NONE = new BackendPicker.NoBackend(BackendPicker.Reason.NONE_HEALTHY);

    /** An accepted connection from {@code remote}: registered (and so active) only once the address is set. */
    static EmbeddedChannel acceptedFrom(InetSocketAddress remote, ChannelHandler handler) throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel(false, false, handler) {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }
        };
        ch.register();
        return ch;
    }

    @Test
    void aTcpClientOutsideTheRangesIsClosedBeforeAnyBackendIsAsked() throws Exception {
        RelayCounters counters = new RelayCounters();
        RecordingChooser chooser = new RecordingChooser(NONE);
        RelayConfig cfg = RelayConfig.of("shop/web:443", chooser, counters).withSourceRanges(OFFICE);
        EmbeddedChannel ch = acceptedFrom(
                new InetSocketAddress(InetAddress.ofLiteral("192.0.2.1"), 40000),
                new TcpRelayFrontendHandler(cfg, new TcpIdleSweep()));
        assertFalse(ch.isOpen());
        assertEquals(List.of(), chooser.asked);
        assertEquals(1, counters.refusals(Refusal.SOURCE_RANGE));
        assertEquals(0, counters.total());
    }

    @Test
    void aTcpClientWithNoBackendIsCountedAndClosed() throws Exception {
        RelayCounters counters = new RelayCounters();
        RecordingChooser chooser = new RecordingChooser(NONE);
        RelayConfig cfg = RelayConfig.of("shop/web:443", chooser, counters).withSourceRanges(OFFICE);
        var client = new InetSocketAddress(InetAddress.ofLiteral("203.0.113.5"), 40000);
        EmbeddedChannel ch = acceptedFrom(client, new TcpRelayFrontendHandler(cfg, new TcpIdleSweep()));
        assertFalse(ch.isOpen());
        assertEquals(List.of(client), chooser.asked);
        assertEquals(1, counters.refusals(Refusal.NO_BACKEND));
        assertEquals(1, counters.total());
        assertEquals(0, counters.active());
        assertNull(ch.readOutbound(), "nothing is sent to a refused client");
    }

    @Test
    void udpDatagramsFromRefusedClientsOrWithoutABackendAreDroppedCountedAndReleased() {
        RelayCounters counters = new RelayCounters();
        RecordingChooser chooser = new RecordingChooser(NONE);
        RelayConfig cfg = RelayConfig.of("dns/resolver:53", chooser, counters).withSourceRanges(OFFICE);
        EmbeddedChannel ch = new EmbeddedChannel(new UdpRelayHandler(cfg));

        ByteBuf outside = Unpooled.copiedBuffer(new byte[] {1, 2, 3});
        ch.writeInbound(
                new DatagramPacket(outside, SERVICE, new InetSocketAddress(InetAddress.ofLiteral("192.0.2.1"), 5353)));
        assertEquals(1, counters.refusals(Refusal.SOURCE_RANGE));
        assertEquals(List.of(), chooser.asked);
        assertEquals(0, outside.refCnt(), "the datagram is released");

        ByteBuf inside = Unpooled.copiedBuffer(new byte[] {4, 5});
        ch.writeInbound(
                new DatagramPacket(inside, SERVICE, new InetSocketAddress(InetAddress.ofLiteral("203.0.113.9"), 5353)));
        assertEquals(1, counters.refusals(Refusal.NO_BACKEND));
        assertEquals(0, inside.refCnt());
        assertEquals(0, counters.total());
        assertNull(ch.readOutbound());
        ch.finishAndReleaseAll();
    }
}
