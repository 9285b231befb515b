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

    private NftablesFilter(LibNftables lib) {
        this.lib = lib;
    }

    /**
     * Loads {@code library} ("libnftables.so.1": the loader's search path, LD_LIBRARY_PATH included);
     * a filter that refuses every script, saying why, when it cannot be loaded.
     */
    public static PacketFilter load(String library) {
        try {
            return new NftablesFilter(Native.load(library, LibNftables.class));
        } catch (UnsatisfiedLinkError e) {
            return PacketFilter.unavailable("cannot load " + library + " (the speaker's image carries it): "
                    + e.getMessage());
        }
    }

    @Override
    public synchronized void run(String script) throws IOException {
        Pointer ctx = lib.nft_ctx_new(0);
        if (ctx == null) {
            throw new IOException("nftables: cannot create a context");
        }
        try {
            lib.nft_ctx_buffer_output(ctx);
            lib.nft_ctx_buffer_error(ctx);
            if (lib.nft_run_cmd_from_buffer(ctx, script) != 0) {
                String error = lib.nft_ctx_get_error_buffer(ctx);
                throw new IOException("nftables refused the script: " + (error == null ? "no reason given"
                        : error.strip().replace('\n', ' ')));
            }
        } finally {
            lib.nft_ctx_free(ctx);
        }
    }
}
