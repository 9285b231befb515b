package io.herald.speaker.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;

/**
 * nftables through libnftables, the library the nft command is built on: a script in nft's own
 * syntax, applied as one netlink transaction. The speaker's image carries the library (the base has
 * no nft binary and no shell); CAP_NET_ADMIN is needed, which Proxy mode grants.
 */
public final class NftablesFilter implements PacketFilter {

    interface LibNftables extends Library {
        Pointer nft_ctx_new(int flags);

        void nft_ctx_free(Pointer ctx);

        int nft_ctx_buffer_output(Pointer ctx);

        int nft_ctx_buffer_error(Pointer ctx);

        String nft_ctx_get_error_buffer(Pointer ctx);

        int nft_run_cmd_from_buffer(Pointer ctx, String buffer);
    }

    private final LibNftables lib;
    /**
     * One context for the speaker's life, made at start: a context opens its netlink socket when it is
     * made, and libnftables waits on that socket with select(), which glibc's checks abort for a
     * descriptor above 1023. A Proxy-mode speaker relaying UDP holds a socket per flow, thousands, so a
     * context made later got such a descriptor and took the whole process down.
     */
    private final Pointer ctx;

    private NftablesFilter(LibNftables lib, Pointer ctx) {
        this.lib = lib;
        this.ctx = ctx;
        lib.nft_ctx_buffer_output(ctx);
        lib.nft_ctx_buffer_error(ctx);
    }

    /**
     * Loads {@code library} ("libnftables.so.1": the loader's search path, LD_LIBRARY_PATH included)
     * and makes the context; a filter that refuses every script, saying why, when either fails.
     */
    public static PacketFilter load(String library) {
        LibNftables lib;
        try {
            lib = Native.load(library, LibNftables.class);
        } catch (UnsatisfiedLinkError e) {
            return PacketFilter.unavailable(
                    "cannot load " + library + " (the speaker's image carries it): " + e.getMessage());
        }
        Pointer ctx = lib.nft_ctx_new(0);
        if (ctx == null) {
            return PacketFilter.unavailable("nftables: cannot create a context");
        }
        return new NftablesFilter(lib, ctx);
    }

    @Override
    public synchronized void run(String script) throws IOException {
        if (lib.nft_run_cmd_from_buffer(ctx, script) != 0) {
            String error = lib.nft_ctx_get_error_buffer(ctx);
            throw new IOException("nftables refused the script: "
                    + (error == null || error.isBlank()
                            ? "no reason given"
                            : error.strip().replace('\n', ' ')));
        }
        lib.nft_ctx_get_error_buffer(ctx); // warnings of a script that passed: rewound, so the next error is its own
    }
}
