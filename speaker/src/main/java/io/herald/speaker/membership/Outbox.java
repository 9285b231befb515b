package io.herald.speaker.membership;

import io.herald.speaker.membership.Message.Body;
import io.herald.speaker.membership.Message.Gossip;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The datagrams one call will send, collected before any is encoded, so that news for a recipient
 * rides on a message it gets anyway rather than in a datagram of its own, and every datagram carries
 * this node's state as it is at the end of the call.
 */
final class Outbox {

    /** A datagram to encode: {@code forced} updates go in before any picked from the gossip buffer. */
    record Pending(String recipient, InetSocketAddress address, Body body, List<Member> forced) {}

    private record Recipient(String name, InetSocketAddress address) {}

    private final List<Pending> messages = new ArrayList<>();
    private final Map<Recipient, List<Member>> news = new LinkedHashMap<>();

    void send(String recipient, InetSocketAddress address, Body body) {
        messages.add(new Pending(recipient, address, body, List.of()));
    }

    /** Makes sure {@code recipient} gets a datagram from this call at all: our own header is the news. */
    void tell(String recipient, InetSocketAddress address) {
        news.computeIfAbsent(new Recipient(recipient, address), r -> new ArrayList<>());
    }

    /** Makes sure {@code recipient} gets {@code update} from this call, not only if gossip happens to pick it. */
    void tell(String recipient, InetSocketAddress address, Member update) {
        List<Member> forced = news.computeIfAbsent(new Recipient(recipient, address), r -> new ArrayList<>());
        forced.removeIf(m -> m.name().equals(update.name()));
        forced.add(update);
    }

    /** The messages in the order they were sent, news on the first to each recipient, the rest alone. */
    List<Pending> pending() {
        Map<Recipient, List<Member>> left = new LinkedHashMap<>(news);
        List<Pending> all = new ArrayList<>();
        for (Pending m : messages) {
            List<Member> forced = left.remove(new Recipient(m.recipient(), m.address()));
            all.add(forced == null ? m : new Pending(m.recipient(), m.address(), m.body(), forced));
        }
        left.forEach((r, forced) -> all.add(new Pending(r.name(), r.address(), new Gossip(), forced)));
        return all;
    }
}
