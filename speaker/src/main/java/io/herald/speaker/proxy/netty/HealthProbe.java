package io.herald.speaker.proxy.netty;

import io.herald.speaker.proxy.HealthCheck;
import io.herald.speaker.proxy.HealthResult;
import io.herald.speaker.proxy.HttpHealthResponse;
import io.herald.speaker.proxy.RelayCounters.ErrorCause;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The handler of one check's channel: starts the deadline timer, passes a TCP check on connect, or
 * sends an HTTP GET through Netty's {@link HttpClientCodec} and judges the response it decodes, reading
 * at most {@link HttpHealthResponse#MAX_BYTES}. It only completes the result; {@link HealthChecker}
 * closes the channel when that happens. All state is the event loop's.
 *
 * <p>It sits last in the pipeline, so whatever goes wrong below it (the codec's decoding failures,
 * read errors, the peer's close after the codec's last word) ends here as a failed result that says
 * why, never as an exception left to the pipeline.
 */
final class HealthProbe extends ChannelInboundHandlerAdapter {

    /** How many of the first bytes received are kept to show in a failure's description. */
    private static final int EXCERPT_BYTES = 41;

    private final HealthCheck check;
    private final CompletableFuture<HealthResult> result;
    private final long deadlineNanos;
    private final long timeoutMillis;
    private boolean connected;
    private int received;
    private final StringBuilder firstBytes = new StringBuilder();
    /** The final response's status once its head is decoded; -1 before (and while interim ones pass). */
    private int status = -1;

    private long contentLength = -1;
    private boolean chunked;
    private final StringBuilder body = new StringBuilder();

    HealthProbe(HealthCheck check, CompletableFuture<HealthResult> result, long deadlineNanos, long timeoutMillis) {
        this.check = check;
        this.result = result;
        this.deadlineNanos = deadlineNanos;
        this.timeoutMillis = timeoutMillis;
    }

    /** The check's pipeline: for HTTP, a byte counter and the client codec before this probe. */
    ChannelInitializer<Channel> initializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelPipeline p = ch.pipeline();
                if (check instanceof HealthCheck.HttpGet) {
                    p.addLast("bytes", new ResponseBytes());
                    p.addLast("http", new HttpClientCodec(decoderConfig(), false, false));
                }
                p.addLast("probe", HealthProbe.this);
            }
        };
    }

    /**
     * Netty's defaults (4096 bytes of status line, 8192 of headers), except two leniencies a health
     * endpoint may need and a one-request client can afford: a repeated Content-Length of one value,
     * and lines ended by a bare LF.
     */
    private static HttpDecoderConfig decoderConfig() {
        return new HttpDecoderConfig().setAllowDuplicateContentLengths(true).setStrictLineParsing(false);
    }

    /** The GET of {@code http}; {@code Connection: close}, so the connection is never left for reuse. */
    static FullHttpRequest request(HealthCheck.HttpGet http) {
        FullHttpRequest r =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, http.path(), Unpooled.EMPTY_BUFFER);
        r.headers()
                .set("Host", http.host())
                .set("User-Agent", "herald-speaker")
                .set("Accept", "*/*")
                .set("Connection", HttpHeaderValues.CLOSE);
        return r;
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        long left = Math.max(0, deadlineNanos - System.nanoTime());
        ScheduledFuture<?> timer = ctx.executor()
                .schedule(
                        () -> {
                            result.complete(HealthResult.failed(timedOut()));
                        },
                        left,
                        TimeUnit.NANOSECONDS);
        result.whenComplete((r, e) -> timer.cancel(false));
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connected = true;
        switch (check) {
            case HealthCheck.TcpConnect tcp -> result.complete(HealthResult.passed());
            case HealthCheck.HttpGet http ->
                ctx.writeAndFlush(request(http)).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        result.complete(HealthResult.failed("sending the request failed: " + message(f.cause())));
                    }
                });
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!result.isDone() && msg instanceof HttpObject http) { // the codec passes raw bytes on after a 101
                read(http);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void read(HttpObject msg) {
        if (msg.decoderResult().isFailure()) {
            Throwable cause = msg.decoderResult().cause();
            if (cause instanceof PrematureChannelClosureException) {
                malformed(closedEarly());
            } else {
                String part = msg instanceof HttpResponse ? "status line or headers" : "body";
                malformed("bad " + part + " (" + message(cause) + "); it began "
                        + HttpHealthResponse.excerpt(firstBytes));
            }
            return;
        }
        if (msg instanceof HttpResponse r) {
            int code = r.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                return; // an interim response (100 Continue, 103 Early Hints): the real one follows
            }
            status = code;
            contentLength = HttpUtil.getContentLength(r, -1L);
            chunked = HttpUtil.isTransferEncodingChunked(r);
            if (code < 100 || code > 999 || code == 101) { // nothing more to wait for: after a 101 come raw bytes
                answer();
                return;
            }
        }
        if (msg instanceof HttpContent c && status >= 0) { // an interim response's end has no status
            body.append(c.content().toString(StandardCharsets.ISO_8859_1));
            if (msg instanceof LastHttpContent) {
                answer();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // after the codec's channelInactive, which has passed on whatever the close completed
        if (ctx.executor().isShuttingDown()) {
            result.complete(HealthResult.failed(HealthChecker.STOPPED)); // the close was the shutdown's, not the peer's
        } else if (received == 0) {
            result.complete(HealthResult.failed("connection closed without a response"));
        } else {
            malformed(closedEarly());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ErrorCause kind = RelayErrors.ofTraffic(cause);
        String what = kind == ErrorCause.CONNECTION_RESET ? "connection reset" : "read failed: " + message(cause);
        result.complete(HealthResult.failed(received == 0 ? what : what + " after " + received + " bytes"));
    }

    /** Judges the final response on the body that came (all of it, or its start at the cap). */
    private void answer() {
        result.complete(HttpHealthResponse.of(status, body).result());
    }

    private void malformed(String reason) {
        result.complete(new HttpHealthResponse.Malformed(reason).result());
    }

    /** Where the peer's close cut the response short. */
    private String closedEarly() {
        if (status < 0) {
            return "connection closed inside the status line or headers, after " + received + " bytes; it began "
                    + HttpHealthResponse.excerpt(firstBytes);
        }
        if (chunked) {
            return "connection closed inside the chunked body, after " + body.length() + " body bytes";
        }
        return "connection closed after " + body.length() + (contentLength >= 0 ? " of " + contentLength : "")
                + " body bytes";
    }

    /** At the cap, a response whose head has come is judged on what came; one without a head is malformed. */
    private void capped() {
        if (status >= 0) {
            answer();
        } else {
            malformed("no whole status line and headers in the first " + HttpHealthResponse.MAX_BYTES + " bytes");
        }
    }

    /** The failure of a connect that did not succeed. */
    HealthResult connectFailed(Throwable cause) {
        return HealthResult.failed(
                switch (RelayErrors.ofConnect(cause)) {
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
        return received == 0
                ? head + "waiting for a response"
                : head + "inside the response (" + received + " bytes received)";
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

    /**
     * Ahead of the codec: counts what the peer sends, keeps its first bytes for descriptions, and
     * passes on no more than {@link HttpHealthResponse#MAX_BYTES} in all, then has the probe judge.
     */
    private final class ResponseBytes extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (result.isDone() || !(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg); // read in the same batch as the answer, or after it
                return;
            }
            int take = Math.min(buf.readableBytes(), HttpHealthResponse.MAX_BYTES - received);
            int keep = Math.min(take, EXCERPT_BYTES - firstBytes.length());
            if (keep > 0) {
                firstBytes.append(buf.toString(buf.readerIndex(), keep, StandardCharsets.ISO_8859_1));
            }
            received += take;
            buf.writerIndex(buf.readerIndex() + take);
            ctx.fireChannelRead(buf);
            if (received == HttpHealthResponse.MAX_BYTES) {
                capped(); // a no-op when the codec's output already completed the check
            }
        }
    }
}
