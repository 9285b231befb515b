package io.herald.speaker.proxy.netty;

import io.herald.speaker.proxy.HealthCheck;
import io.herald.speaker.proxy.HealthResult;
import io.herald.speaker.proxy.HttpHealthResponse;
import io.herald.speaker.proxy.RelayCounters.ErrorCause;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The handler of one check's channel: starts the deadline timer, passes a TCP check on connect, or
 * sends the HTTP request and reads the answer, at most {@link HttpHealthResponse#MAX_BYTES} of it,
 * until {@link HttpHealthResponse} can say what it is. It only completes the result;
 * {@link HealthChecker} closes the channel when that happens. All state is the event loop's.
 */
final class HealthProbe extends ChannelInboundHandlerAdapter {

    private final HealthCheck check;
    private final CompletableFuture<HealthResult> result;
    private final long deadlineNanos;
    private final long timeoutMillis;
    private boolean connected;
    private byte[] received = new byte[0];

    HealthProbe(HealthCheck check, CompletableFuture<HealthResult> result, long deadlineNanos, long timeoutMillis) {
        this.check = check;
        this.result = result;
        this.deadlineNanos = deadlineNanos;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        long left = Math.max(0, deadlineNanos - System.nanoTime());
        ScheduledFuture<?> timer = ctx.executor().schedule(() -> {
            result.complete(HealthResult.failed(timedOut()));
        }, left, TimeUnit.NANOSECONDS);
        result.whenComplete((r, e) -> timer.cancel(false));
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connected = true;
        switch (check) {
            case HealthCheck.TcpConnect tcp -> result.complete(HealthResult.passed());
            case HealthCheck.HttpGet http -> {
                byte[] request = http.request().getBytes(StandardCharsets.US_ASCII);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(request)).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        result.complete(HealthResult.failed("sending the request failed: " + message(f.cause())));
                    }
                });
            }
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (result.isDone() || !(msg instanceof ByteBuf buf)) {
                return; // read in the same batch as the answer, or after it
            }
            int take = Math.min(buf.readableBytes(), HttpHealthResponse.MAX_BYTES - received.length);
            int had = received.length;
            received = Arrays.copyOf(received, had + take);
            buf.readBytes(received, had, take);
            judge(false);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ctx.executor().isShuttingDown()) {
            result.complete(HealthResult.failed(HealthChecker.STOPPED)); // the close was the shutdown's, not the peer's
        } else if (received.length == 0) {
            result.complete(HealthResult.failed("connection closed without a response"));
        } else {
            judge(true);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ErrorCause kind = RelayErrors.ofTraffic(cause);
        String what = kind == ErrorCause.CONNECTION_RESET ? "connection reset" : "read failed: " + message(cause);
        result.complete(HealthResult.failed(received.length == 0 ? what : what + " after " + received.length + " bytes"));
    }

    /** Completes the result once the response says enough. */
    private void judge(boolean closed) {
        HttpHealthResponse r;
        try {
            r = HttpHealthResponse.parse(received, closed);
        } catch (RuntimeException e) { // a parser bug must not leave the check hanging until its timeout
            r = new HttpHealthResponse.Malformed("parser failed: " + e);
        }
        if (!(r instanceof HttpHealthResponse.Incomplete)) {
            result.complete(r.result());
        }
    }

    /** The failure of a connect that did not succeed. */
    HealthResult connectFailed(Throwable cause) {
        return HealthResult.failed(switch (RelayErrors.ofConnect(cause)) {
            case CONNECT_REFUSED -> "connect refused";
            case CONNECT_TIMEOUT -> "timed out after " + timeoutMillis + " ms connecting";
            default -> "connect failed: " + message(cause);
        });
    }

    private String timedOut() {
        String head = "timed out after " + timeoutMillis + " ms ";
        if (!connected) {
            return head + "connecting";
        }
        return received.length == 0 ? head + "waiting for a response"
                : head + "inside the response (" + received.length + " bytes received)";
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        if (m == null) {
            return t.getClass().getSimpleName();
        }
        return t instanceof IOException ? m : t.getClass().getSimpleName() + ": " + m;
    }

    @Override
    public String toString() {
        return "HealthProbe(" + check + ")";
    }
}
