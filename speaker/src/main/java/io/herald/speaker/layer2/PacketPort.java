package io.herald.speaker.layer2;

import io.herald.api.model.IpAddress;
import java.util.Collection;
import java.util.Set;

/**
 * Raw frames in and out of the interfaces this node announces on. The port answers captured ARP
 * requests and neighbour solicitations itself, on its capture threads, with what its {@link Responder}
 * says (the {@link Announcer}'s snapshot), so replies never wait for the planning thread.
 */
public interface PacketPort {

    /** Called on an interface's capture thread with each captured frame; the reply to send, or null. */
    @FunctionalInterface
    interface Responder {
        OutFrame answer(String iface, byte[] frame, int length);
    }

    /** Starts capturing on {@code iface}, answering nothing until {@link #answerFor} says what; a no-op when open. */
    void open(String iface) throws Exception;

    /** The addresses whose requests reach the responder on {@code iface}. */
    void answerFor(String iface, Collection<IpAddress> targets);

    /** Stops capturing on {@code iface}. */
    void close(String iface);

    /** The interfaces captured on now. */
    Set<String> interfaces();

    /** Puts {@code frame} on {@code iface}'s wire; false when the interface is not open or the send failed. */
    boolean send(String iface, byte[] frame);

    /** Closes every interface. */
    void close();
}
