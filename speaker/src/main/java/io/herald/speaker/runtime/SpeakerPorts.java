package io.herald.speaker.runtime;

import io.herald.api.model.IpAddress;
import io.herald.speaker.decision.ClusterState;
import io.herald.speaker.decision.ConditionWrite;
import io.herald.speaker.layer2.LocalInterface;
import io.herald.speaker.membership.Member;
import io.herald.speaker.membership.MemberEvent;
import io.herald.speaker.membership.MembershipKey;
import io.herald.speaker.proxy.ListenerSpec;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The small ports through which {@link SpeakerLoop} reaches the API, the host, the membership and the
 * relay. Adapters implement them and the application wires them; tests fake them by recording classes.
 * The packet port is {@link io.herald.speaker.layer2.PacketPort}.
 */
public final class SpeakerPorts {
    private SpeakerPorts() {}

    /** The API's view of the cluster. */
    public interface ClusterSource {
        /** Starts watching and waits for the first lists; {@code changed} runs after every change from then on. */
        void start(Runnable changed);

        /** Every node's InternalIP, the address its speaker listens on. */
        Map<String, String> nodeAddresses();

        ClusterState snapshot();

        void close();
    }

    /** Writes the announcement conditions (and their events) the plan asks for; may complete later. */
    public interface ConditionWriter {
        /** {@code retry} runs a while after a write failed, so that a fresh plan asks again. */
        void start(Runnable retry);

        void write(List<ConditionWrite> writes);

        void close();
    }

    /** Reads the membership key. */
    public interface KeySource {
        /**
         * The key, or empty when its Secret holds none of at least 16 bytes.
         *
         * @throws Unreadable when the Secret cannot be read at all
         */
        Optional<byte[]> read();

        /** Where the key is kept, as an operator looks for it, such as {@code Secret ns/name}. */
        String where();

        /** The key's name in its Secret. */
        String keyName();

        /** The Secret could not be read; the message says why. */
        final class Unreadable extends RuntimeException {
            public Unreadable(String message, Throwable cause) {
                super(message, cause);
            }
        }
    }

    /** This node's interfaces as they are now, by name. */
    public interface InterfaceSource {
        Map<String, LocalInterface> scan();
    }

    /** What is wrong with kube-proxy's ARP behaviour on this node, or null; may take a second to answer. */
    public interface KubeProxyCheck {
        String problem();
    }

    /** The solicited-node multicast groups of the IPv6 addresses this node owns, per interface. */
    public interface MulticastPort {
        void set(Map<IpAddress, String> owned);

        void close();
    }

    /** Membership among the speakers, running on its own thread: calls only queue work for it. */
    public interface MembershipPort {
        /** The peers the API lists; unknown ones are pinged to join. */
        void setSeeds(Map<String, InetSocketAddress> seeds);

        void updateMetadata(byte[] metadata);

        /** Restarts this member's warm-up. */
        void rewarm();

        /** Whether this member has lost every peer it had. */
        boolean isolated();

        /** Signs with {@code current} from now on, and still accepts {@code previous} (see {@link MembershipKey}). */
        void setKey(byte[] current, byte[] previous);

        /** Tells every peer this member leaves; completes once that is sent. */
        CompletableFuture<Void> leave();

        /** Every member in this node's view, this node included, as of the last change. */
        Collection<Member> members();

        void close();

        /** Starts membership as {@code self}; {@code changed} gets the events of every change after. */
        interface Starter {
            MembershipPort start(
                    InetSocketAddress self, byte[] metadata, byte[] key, Consumer<List<MemberEvent>> changed)
                    throws InterruptedException;
        }
    }

    /** Proxy mode's relay: listeners and loopback addresses. Called on the loop thread only. */
    public interface RelayPort {
        /** Makes this node relay exactly {@code wanted}; {@code ours} tells which loopback addresses are Herald's. */
        void apply(Map<ListenerSpec.Key, ListenerSpec> wanted, Predicate<IpAddress> ours);

        /** Why the relay cannot serve an address this node owns. */
        Map<IpAddress, String> addressFailures();

        Set<ListenerSpec.Key> listeners();

        void close();
    }

    /** A thread that runs tasks one at a time, with its clock. */
    public interface Scheduler {
        /** Monotonic, in nanoseconds. */
        long nanoTime();

        /** @throws RejectedExecutionException once stopped */
        void execute(Runnable task);

        /** @throws RejectedExecutionException once stopped */
        Scheduled schedule(Runnable task, long delayNanos);

        /** Runs {@code task} after {@code initialNanos}, then {@code periodNanos} after each run ends. */
        void repeat(Runnable task, long initialNanos, long periodNanos);

        /** Blocks the caller, which is not this scheduler's thread. */
        void sleep(long millis) throws InterruptedException;

        /** Runs nothing more, interrupts the task running, and waits up to {@code waitMillis} for it to end. */
        void stop(long waitMillis);

        /** A task to come. */
        interface Scheduled {
            /** Keeps it from running, if it has not started. */
            void cancel();
        }
    }
}
