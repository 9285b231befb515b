package io.herald.speaker.host;

import java.io.IOException;

/** Where the speaker's firewall scripts go: nftables in the node's network namespace. */
public interface PacketFilter {

    /** Runs one nft script as one transaction; throws saying why the kernel or nft refused it. */
    void run(String script) throws IOException;

    /** A filter that refuses every script with {@code why}: Proxy mode then serves nothing rather than expose the node. */
    static PacketFilter unavailable(String why) {
        return script -> {
            throw new IOException(why);
        };
    }
}
