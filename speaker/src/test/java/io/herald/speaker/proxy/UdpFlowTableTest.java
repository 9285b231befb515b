package io.herald.speaker.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.speaker.proxy.UdpFlowTable.Flow;
import io.herald.speaker.proxy.UdpFlowTable.Full;
import io.herald.speaker.proxy.UdpFlowTable.Opened;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class UdpFlowTableTest {

    static final long S = 1_000_000_000L;
    static final Backend A = new Backend("a", new InetSocketAddress(InetAddress.ofLiteral("10.0.0.1"), 30053), 1);
    static final Backend B = new Backend("b", new InetSocketAddress(InetAddress.ofLiteral("10.0.0.2"), 30053), 1);

    static InetSocketAddress client(String ip, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
    }

    static List<String> clients(List<Flow<String>> flows) {
        return flows.stream().map(Flow::attachment).toList();
    }

    @Test
    void flowsAreKeyedByAddressAndPortAndExpireAfterIdling() {
        UdpFlowTable<String> t = new UdpFlowTable<>(10, 30 * S);
        var c1 = client("192.0.2.1", 5000);
        var c1b = client("192.0.2.1", 5001);
        var c2 = client("2001:db8::2", 5000);
        Flow<String> f1 = assertInstanceOf(Opened.class, t.open(c1, A, "c1", 0)).flow();
        t.open(c1b, B, "c1b", 1 * S);
        t.open(c2, A, "c2", 2 * S);
        assertEquals(3, t.size());
        assertSame(f1, t.touch(c1, 20 * S), "same address and port: same flow");
        assertEquals(A, f1.backend());
        assertEquals(20 * S, f1.lastActivity());
        // scenario: (time s, flows expired then, oldest activity first)
        assertEquals(List.of(), clients(t.expire(30 * S)));
        assertEquals(List.of("c1b"), clients(t.expire(31 * S)));
        assertNull(t.touch(c1b, 31 * S));
        assertEquals(List.of("c2"), clients(t.expire(32 * S)));
        t.touch(c1, 45 * S);
        assertEquals(List.of(), clients(t.expire(74 * S)));
        assertEquals(List.of("c1"), clients(t.expire(75 * S)));
        assertEquals(0, t.size());
    }

    @Test
    void aFullTableRefusesNewClientsAndKeepsItsFlows() {
        UdpFlowTable<String> t = new UdpFlowTable<>(2, 10 * S);
        t.open(client("192.0.2.1", 1), A, "1", 0);
        t.open(client("192.0.2.2", 1), A, "2", 0);
        var refused = t.open(client("192.0.2.3", 1), B, "3", 1 * S);
        assertEquals(new Full<String>(2), refused);
        assertEquals("refused: the flow table is full (2 flows)", refused.toString());
        assertEquals(2, t.size());
        t.touch(client("192.0.2.1", 1), 5 * S);
        assertEquals(List.of("2"), clients(t.expire(10 * S)));
        assertInstanceOf(Opened.class, t.open(client("192.0.2.3", 1), B, "3", 10 * S), "room again");
    }

    @Test
    void aLapsedFlowFoundBeforeTheSweepIsReplacedAndStillHandedBackForClosing() {
        UdpFlowTable<String> t = new UdpFlowTable<>(1, 10 * S);
        var c = client("192.0.2.1", 1);
        t.open(c, A, "old", 0);
        assertNull(t.touch(c, 10 * S), "idle for the whole timeout");
        assertEquals(0, t.size());
        Flow<String> fresh =
                assertInstanceOf(Opened.class, t.open(c, B, "new", 10 * S)).flow();
        assertEquals(List.of("old"), clients(t.expire(11 * S)));
        assertSame(fresh, t.touch(c, 12 * S));
        assertEquals(new Full<String>(1), t.open(client("192.0.2.9", 1), A, "x", 12 * S));
        // opening over a lapsed flow without touching first: same outcome
        assertInstanceOf(Opened.class, t.open(c, A, "newer", 30 * S));
        assertEquals(List.of("new"), clients(t.expire(30 * S)));
        assertEquals(List.of("newer"), clients(t.clear()));
    }

    @Test
    void misuseIsRefused() {
        UdpFlowTable<String> t = new UdpFlowTable<>(5, S);
        var c = client("192.0.2.1", 1);
        t.open(c, A, "1", 0);
        assertThrows(IllegalStateException.class, () -> t.open(c, B, "2", 1));
        assertThrows(IllegalArgumentException.class, () -> new UdpFlowTable<String>(0, S));
        assertThrows(IllegalArgumentException.class, () -> new UdpFlowTable<String>(1, 0));
        Flow<String> f = t.touch(c, 2);
        assertTrue(t.remove(f));
        assertEquals(0, t.size());
    }
}
