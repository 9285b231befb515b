package io.herald.speaker.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.api.model.IpAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The script's text; LoopbackNetlinkIT applies it to a real kernel and probes what it lets through. */
class ExposureRulesTest {

    private static ListenerSpec.Key key(String address, int port, ListenerSpec.Transport t) {
        return new ListenerSpec.Key(IpAddress.parse(address), port, t);
    }

    @Test
    void guardsEveryAddressAndOpensOnlyTheRelayedPortsInOrder() {
        String script = ExposureRules.replace(
                Set.of(IpAddress.parse("198.18.0.211"), IpAddress.parse("fd18:18::210")),
                List.of(
                        key("198.18.0.210", 80, ListenerSpec.Transport.TCP),
                                key("198.18.0.210", 53, ListenerSpec.Transport.UDP),
                        key("198.18.0.210", 443, ListenerSpec.Transport.TCP),
                                key("fd18:18::210", 80, ListenerSpec.Transport.TCP)));
        assertEquals("""
                table inet herald
                delete table inet herald
                table inet herald {
                \tset guarded4 {
                \t\ttype ipv4_addr
                \t\telements = { 198.18.0.210, 198.18.0.211 }
                \t}
                \tset guarded6 {
                \t\ttype ipv6_addr
                \t\telements = { fd18:18::210 }
                \t}
                \tset open4 {
                \t\ttype ipv4_addr . inet_proto . inet_service
                \t\telements = { 198.18.0.210 . 6 . 80, 198.18.0.210 . 6 . 443, 198.18.0.210 . 17 . 53 }
                \t}
                \tset open6 {
                \t\ttype ipv6_addr . inet_proto . inet_service
                \t\telements = { fd18:18::210 . 6 . 80 }
                \t}
                \tchain input {
                \t\ttype filter hook input priority 0; policy accept;
                \t\tct state established,related accept
                \t\tip daddr . meta l4proto . th dport @open4 accept
                \t\tip6 daddr . meta l4proto . th dport @open6 accept
                \t\tip daddr @guarded4 meta l4proto 1 accept
                \t\tip6 daddr @guarded6 meta l4proto 58 accept
                \t\tip daddr @guarded4 counter drop
                \t\tip6 daddr @guarded6 counter drop
                \t}
                }
                """, script);
    }

    @Test
    void emptySetsHaveNoElementsLineSoNftAcceptsThem() {
        String script = ExposureRules.replace(Set.of(), List.of());
        assertTrue(!script.contains("elements"), script);
        assertTrue(script.contains("set guarded4 {\n\t\ttype ipv4_addr\n\t}"), script);
    }

    @Test
    void removalDeletesTheTableEvenWhenAbsent() {
        assertEquals("table inet herald\ndelete table inet herald\n", ExposureRules.remove());
    }
}
