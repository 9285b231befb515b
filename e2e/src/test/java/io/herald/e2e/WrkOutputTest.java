package io.herald.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parsers ProxyBenchmark reads its tools with, on output the tools printed (wrk 4.1.0, HAProxy 2.6). */
class WrkOutputTest {

    static final String KEEP_ALIVE = """
            Running 5s test @ http://127.0.0.1:38080/
              1 threads and 32 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   800.11us    1.21ms  15.43ms   88.40%
                Req/Sec    68.35k    12.77k   84.24k    54.00%
              339378 requests in 5.00s, 49.52MB read
            Requests/sec:  67866.55
            Transfer/sec:      9.90MB
            """;

    static final String BULK = """
            Running 5s test @ http://127.0.0.1:38080/bytes/1048576
              1 threads and 4 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     1.44ms    1.39ms  14.90ms   88.58%
                Req/Sec     3.06k   281.08     3.56k    76.00%
              15225 requests in 5.00s, 14.87GB read
            Requests/sec:   3044.66
            Transfer/sec:      2.97GB
            """;

    static final String NON_2XX = """
            Running 1s test @ http://127.0.0.1:38080/bytes/x
              1 threads and 2 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency    81.88us  183.05us   3.42ms   97.21%
                Req/Sec    32.65k     2.37k   35.69k    63.64%
              35689 requests in 1.10s, 6.84MB read
              Non-2xx or 3xx responses: 35689
            Requests/sec:  32441.80
            Transfer/sec:      6.22MB
            """;

    /** A real run of Connection: close through HAProxy, with the error lines wrk adds when there are some. */
    static final String SOCKET_ERRORS = """
            Running 5s test @ http://127.0.0.1:38081/
              1 threads and 32 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     3.46ms    1.83ms  22.07ms   75.75%
                Req/Sec     8.44k   789.68    10.10k    72.00%
              42022 requests in 5.00s, 6.89MB read
              Socket errors: connect 1, read 20, write 0, timeout 3
              Non-2xx or 3xx responses: 4
            Requests/sec:   8397.32
            Transfer/sec:      1.38MB
            """;

    static final String SLOW_KB = """
            Running 1s test @ http://127.0.0.1:38080/
              1 threads and 1 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   282.78us   34.10us 336.00us   66.67%
                Req/Sec     9.44      1.67    10.00     88.89%
              9 requests in 1.00s, 1.34KB read
            Requests/sec:      8.97
            Transfer/sec:      1.34KB
            """;

    @Test
    void requestsPerSecondAndRequestCount() {
        assertEquals(67866.55, ProxyBenchmark.wrkRequestsPerSecond(KEEP_ALIVE), 1e-9);
        assertEquals(8.97, ProxyBenchmark.wrkRequestsPerSecond(SLOW_KB), 1e-9);
        assertEquals(339378, ProxyBenchmark.wrkRequests(KEEP_ALIVE));
        assertEquals(9, ProxyBenchmark.wrkRequests(SLOW_KB));
    }

    @Test
    void transferPerSecondInEachUnitWrkPrints() {
        assertEquals(9.90 * 1024 * 1024, ProxyBenchmark.wrkTransferBytesPerSecond(KEEP_ALIVE), 1e-6);
        assertEquals(2.97 * 1024 * 1024 * 1024, ProxyBenchmark.wrkTransferBytesPerSecond(BULK), 1e-3);
        assertEquals(1.34 * 1024, ProxyBenchmark.wrkTransferBytesPerSecond(SLOW_KB), 1e-9);
        assertEquals(
                125.70,
                ProxyBenchmark.wrkTransferBytesPerSecond("Requests/sec:      1.00\nTransfer/sec:     125.70B\n"),
                1e-9);
        assertEquals(2.97 * 1024 * 1024 * 1024 * 8 / 1e6, ProxyBenchmark.wrkTransferMbitPerSecond(BULK), 1e-6);
    }

    @Test
    void errorsAreSocketErrorsPlusResponsesOtherThan2xxOr3xx() {
        assertEquals(0, ProxyBenchmark.wrkErrors(KEEP_ALIVE));
        assertEquals(35689, ProxyBenchmark.wrkErrors(NON_2XX));
        assertEquals(1 + 20 + 0 + 3 + 4, ProxyBenchmark.wrkErrors(SOCKET_ERRORS));
    }

    @Test
    void outputWithoutTheFiguresIsRefused() {
        String refused = "unable to connect to 198.18.0.200:81 Connection refused\n";
        assertThrows(IllegalArgumentException.class, () -> ProxyBenchmark.wrkRequestsPerSecond(refused));
        assertThrows(IllegalArgumentException.class, () -> ProxyBenchmark.wrkTransferBytesPerSecond(refused));
        assertThrows(IllegalArgumentException.class, () -> ProxyBenchmark.wrkRequests(refused));
    }

    @Test
    void theBenchmarkFailsOnNoRequestsOrOverOnePercentErrors() {
        List<String> cmd = List.of("wrk");
        assertThrows(AssertionError.class, () -> ProxyBenchmark.check(0, 0, cmd, ""));
        assertThrows(AssertionError.class, () -> ProxyBenchmark.check(1000, 11, cmd, ""));
        ProxyBenchmark.check(1000, 10, cmd, "");
        ProxyBenchmark.check(1, 0, cmd, "");
    }

    @Test
    void loadgenAndShowInfoFields() {
        Map<String, Double> rate = ProxyBenchmark.fields("""
                requests: 10000
                errors: 0
                p50_ms: 0.262
                p99_ms: 0.532
                max_ms: 4.321
                """);
        assertEquals(
                Map.of("requests", 10000.0, "errors", 0.0, "p50_ms", 0.262, "p99_ms", 0.532, "max_ms", 4.321), rate);
        assertEquals(
                6156.1,
                ProxyBenchmark.fields("bytes: 3847573141\nthroughput_mbit_s: 6156.1\n")
                        .get("throughput_mbit_s"));
        Map<String, Double> info = ProxyBenchmark.fields("""
                Name: HAProxy
                Version: 2.6.12
                Release_date: 2026/10/17
                Nbthread: 2
                Uptime: 0d 0h02m51s
                Maxconn: 9984
                """);
        assertEquals(Map.of("Nbthread", 2.0, "Maxconn", 9984.0), info);
    }

    @Test
    void serversNotUpFromShowStat() {
        String up = """
                # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status
                bench,FRONTEND,,,0,60,9984,42106,12263112,8193771945,0,0,0,,,,,OPEN
                nodes,node-1,0,0,0,18,,14036,4246492,3161920751,,0,,0,0,0,0,UP
                nodes,node-2,0,0,0,18,,14035,3831953,1936404371,,0,,0,0,0,0,UP
                nodes,node-3,0,0,0,18,,14035,4184667,3095446823,,0,,0,0,0,0,UP
                nodes,BACKEND,0,0,0,52,999,42106,12263112,8193771945,0,0,,0,0,0,0,UP

                """;
        assertTrue(ProxyBenchmark.serversNotUp(up).isEmpty());
        String mixed = up.replace("0,0,0,0,UP\nnodes,node-2", "0,0,0,0,DOWN\nnodes,node-2")
                .replace("0,0,0,0,UP\nnodes,node-3", "0,0,0,0,UP 1/3\nnodes,node-3");
        assertEquals(List.of("node-1 DOWN", "node-2 UP 1/3"), ProxyBenchmark.serversNotUp(mixed));
        assertThrows(IllegalArgumentException.class, () -> ProxyBenchmark.serversNotUp("Unknown command.\n"));
    }

    @Test
    void medianOfTheRuns() {
        assertEquals(2.0, ProxyBenchmark.median(new double[] {3, 1, 2}));
        assertEquals(2.5, ProxyBenchmark.median(new double[] {4, 1, 2, 3}));
        assertEquals("1.000 0.500", ProxyBenchmark.runs(new double[] {1, 0.5}));
    }

    @Test
    void haproxyConfigRelaysTcpRoundRobinToEveryNodePortWithTheRelaysTimeouts() {
        Map<String, String> servers = new LinkedHashMap<>();
        servers.put("node-1", "198.18.0.11:31000");
        servers.put("node-2", "198.18.0.12:31000");
        String c = ProxyBenchmark.haproxyConfig("198.18.0.200:81", servers, Path.of("/tmp/x/haproxy.sock"));
        for (String line : List.of(
                "stats socket /tmp/x/haproxy.sock mode 600 level user",
                "mode tcp",
                "timeout connect 2s",
                "timeout client 1h",
                "timeout server 1h",
                "bind 198.18.0.200:81",
                "balance roundrobin",
                "server node-1 198.18.0.11:31000 check inter 1s",
                "server node-2 198.18.0.12:31000 check inter 1s")) {
            assertTrue(c.contains("    " + line + "\n"), "missing \"" + line + "\" in\n" + c);
        }
        assertFalse(c.contains("transparent") || c.contains("freebind") || c.contains("nbthread"), c);
    }
}
