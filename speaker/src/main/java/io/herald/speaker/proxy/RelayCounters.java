package io.herald.speaker.proxy;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one listener (a Service address, port and protocol) has relayed, for the metrics: TCP
 * connections or UDP flows (active, total, refused by reason), bytes each way, errors by cause and
 * idle closes. Event loops write, the metrics registry reads; every counter is a LongAdder.
 *
 * <p>For TCP, "total" counts connections from allowed clients (past the source ranges) and "active"
 * those still open; "refused" counts connections closed without being relayed, by reason (one turned
 * away for lack of a reachable backend is in both). For UDP, "total" and "active" count flows, and a
 * refusal is counted per datagram dropped, since there is no connection to refuse once.
 */
public final class RelayCounters {

    public enum Refusal {
        /** The client is outside loadBalancerSourceRanges. */
        SOURCE_RANGE,
        /** The picker had no backend (none, none healthy, no local endpoints). */
        NO_BACKEND,
        /** Every backend tried failed to connect. */
        BACKEND_UNREACHABLE,
        /** The UDP flow table is at its cap. */
        FLOW_TABLE_FULL
    }

    public enum ErrorCause {
        CONNECT_REFUSED,
        CONNECT_TIMEOUT,
        CONNECT_FAILED,
        CONNECTION_RESET,
        /** A UDP backend answered with ICMP port unreachable. */
        PORT_UNREACHABLE,
        IO
    }

    private final LongAdder active = new LongAdder();
    private final LongAdder total = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final LongAdder bytesFromClients = new LongAdder();
    private final LongAdder bytesToClients = new LongAdder();
    private final Map<Refusal, LongAdder> refused = new EnumMap<>(Refusal.class);
    private final Map<ErrorCause, LongAdder> errors = new EnumMap<>(ErrorCause.class);

    public RelayCounters() {
        for (Refusal r : Refusal.values()) {
            refused.put(r, new LongAdder());
        }
        for (ErrorCause e : ErrorCause.values()) {
            errors.put(e, new LongAdder());
        }
    }

    public void opened() {
        active.increment();
        total.increment();
    }

    public void closed() {
        active.decrement();
    }

    public void closedIdle() {
        idleClosed.increment();
    }

    public void refused(Refusal why) {
        refused.get(why).increment();
    }

    public void error(ErrorCause cause) {
        errors.get(cause).increment();
    }

    public void fromClient(long bytes) {
        bytesFromClients.add(bytes);
    }

    public void toClient(long bytes) {
        bytesToClients.add(bytes);
    }

    public long active() {
        return active.sum();
    }

    public long total() {
        return total.sum();
    }

    public long idleClosed() {
        return idleClosed.sum();
    }

    public long refusals(Refusal why) {
        return refused.get(why).sum();
    }

    public long refusals() {
        return refused.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long errors(ErrorCause cause) {
        return errors.get(cause).sum();
    }

    public long bytesFromClients() {
        return bytesFromClients.sum();
    }

    public long bytesToClients() {
        return bytesToClients.sum();
    }

    @Override
    public String toString() {
        return "active " + active() + ", total " + total() + ", refused " + refusals() + ", idle-closed " + idleClosed()
                + ", bytes in " + bytesFromClients() + ", out " + bytesToClients();
    }
}
