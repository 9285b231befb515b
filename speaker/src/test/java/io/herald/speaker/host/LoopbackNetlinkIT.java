package io.herald.speaker.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.herald.api.model.IpAddress;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link NetlinkDeviceAddresses} and {@link LoopbackAddresses} against the real kernel, in a network
 * namespace of their own ({@code nltest-<pid>}, removed afterwards), with iproute2 as the independent
 * witness. The adapter runs in a child JVM started by {@code ip netns exec}, since a namespace belongs
 * to a process (its threads, strictly), not to a test. Needs root: without it, or without network
 * namespaces, this fails, unless -De2e.skip=true leaves the tiers needing root out, as on a laptop.
 */
class LoopbackNetlinkIT {
    private static final String NS = "nltest-" + ProcessHandle.current().pid();
    private static final String PROBLEM_EPERM =
            "Operation not permitted (the speaker needs CAP_NET_ADMIN for Proxy mode)";

    private static Child child;

    @BeforeAll
    static void namespace() throws Exception {
        if (!run("id", "-u").trim().equals("0")) {
            if (Boolean.getBoolean("e2e.skip")) {
                Assumptions.abort("not root, and -De2e.skip=true leaves the tests needing root out");
            }
            fail("LoopbackNetlinkIT needs root to create a network namespace and change its addresses "
                    + "(or pass -De2e.skip=true to leave the tests needing root out)");
        }
        run("ip", "netns", "add", NS);
        ip("link", "set", "lo", "up");
        ip("link", "add", "nltest0", "type", "veth", "peer", "name", "nltest1");
        child = Child.start(List.of("ip", "netns", "exec", NS));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (child != null) {
            child.close();
        }
        if (run("ip", "netns", "list").contains(NS)) {
            run("ip", "netns", "del", NS);
        }
    }

    @Test
    void addListAndRemoveBothFamiliesAsIpSeesThem() throws Exception {
        assertEquals("added", child.ask("add lo 198.18.0.200"));
        assertEquals("added", child.ask("add lo fd18:18::200"));
        String shown = ip("-o", "addr", "show", "dev", "lo");
        assertTrue(shown.contains("inet 198.18.0.200/32 scope global lo"), shown);
        String v6 = line(shown, "fd18:18::200/128");
        assertTrue(v6.contains("scope global") && v6.contains("nodad") && !v6.contains("tentative"), v6);
        assertEquals(ipAddresses("lo"), listed("lo"));
        assertTrue(listed("lo").containsAll(Set.of("127.0.0.1/8", "::1/128", "198.18.0.200/32", "fd18:18::200/128")));

        // EEXIST on add and EADDRNOTAVAIL on remove mean done already
        assertEquals("already", child.ask("add lo 198.18.0.200"));
        assertEquals("already", child.ask("add lo fd18:18::200"));
        assertEquals("removed", child.ask("remove lo 198.18.0.200"));
        assertEquals("removed", child.ask("remove lo fd18:18::200"));
        assertEquals("absent", child.ask("remove lo 198.18.0.200"));
        assertEquals("absent", child.ask("remove lo fd18:18::200"));
        shown = ip("-o", "addr", "show", "dev", "lo");
        assertFalse(shown.contains("198.18.0.200") || shown.contains("fd18:18::200"), shown);
        assertEquals(ipAddresses("lo"), listed("lo"));
    }

    @Test
    void listsTheDevicesOwnAddressesAlsoWhenTheDumpTakesManyDatagrams() throws Exception {
        // about 1000 addresses make the kernel's dump reply span many datagrams
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            batch.append("addr add 198.18.")
                    .append(10 + i / 250)
                    .append('.')
                    .append(1 + i % 250)
                    .append("/32 dev nltest0\n");
        }
        for (int i = 0; i < 400; i++) {
            batch.append("addr add fd18:77::")
                    .append(Integer.toHexString(i + 1))
                    .append("/128 dev nltest0 nodad\n");
        }
        Path file = Files.createTempFile("nltest-batch", ".txt");
        try {
            Files.writeString(file, batch);
            ip("-batch", file.toString());
        } finally {
            Files.delete(file);
        }
        Set<String> onVeth = ipAddresses("nltest0");
        assertEquals(1000, onVeth.size());
        assertEquals(onVeth, listed("nltest0"));
        Set<String> onLo = listed("lo");
        assertEquals(ipAddresses("lo"), onLo);
        assertTrue(onLo.stream().noneMatch(onVeth::contains), onLo.toString());
    }

    @Test
    void aDeviceWithoutAddressesIsFoundToo() throws Exception {
        // nltest1 is down and has no address, IPv6 link-local included
        assertEquals(Set.of(), ipAddresses("nltest1"));
        assertEquals("list ", child.ask("list nltest1"));
        assertEquals("added", child.ask("add nltest1 198.18.0.50"));
        assertEquals(Set.of("198.18.0.50/32"), ipAddresses("nltest1"));
        assertEquals("removed", child.ask("remove nltest1 198.18.0.50"));
    }

    @Test
    void aMissingDeviceIsAnError() throws Exception {
        assertEquals("error 19 no device nosuch0: No such device", child.ask("add nosuch0 198.18.0.1"));
        assertEquals("error 19 no device nosuch0: No such device", child.ask("list nosuch0"));
    }

    @Test
    void syncAddsOursAndRemovesOnlyOurStaleOnes() throws Exception {
        ip("addr", "add", "198.18.0.9/32", "dev", "lo");
        ip("addr", "add", "192.0.2.9/32", "dev", "lo");
        assertEquals("problems ", child.ask("sync lo 198.18.0.10,fd18:18::10"));
        Set<String> now = ipAddresses("lo");
        assertTrue(now.containsAll(Set.of("198.18.0.10/32", "fd18:18::10/128", "192.0.2.9/32")), now.toString());
        assertFalse(now.contains("198.18.0.9/32"), now.toString());

        assertEquals("problems ", child.ask("sync lo -"));
        now = ipAddresses("lo");
        assertFalse(now.contains("198.18.0.10/32") || now.contains("fd18:18::10/128"), now.toString());
        assertTrue(now.contains("192.0.2.9/32"), now.toString());
        ip("addr", "del", "192.0.2.9/32", "dev", "lo");
    }

    @Test
    void withoutCapNetAdminTheProblemSaysSo() throws Exception {
        ip("addr", "add", "198.18.0.30/32", "dev", "lo");
        try (Child unprivileged = Child.start(
                List.of("ip", "netns", "exec", NS, "setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin"))) {
            // listing needs no privilege
            assertEquals(
                    ipAddresses("lo"),
                    Set.of(unprivileged.ask("list lo").substring(5).split(" ")));
            String problems = unprivileged.ask("sync lo 198.18.0.31");
            assertEquals(
                    "problems cannot remove 198.18.0.30/32 from lo: " + PROBLEM_EPERM
                            + " | cannot add 198.18.0.31/32 to lo: " + PROBLEM_EPERM,
                    problems);
        }
        assertTrue(ipAddresses("lo").contains("198.18.0.30/32"));
        ip("addr", "del", "198.18.0.30/32", "dev", "lo");
    }

    /**
     * A Proxy-mode address on the loopback answers only on the ports the relay serves (and ICMP) once
     * the speaker's nftables table guards it; wildcard listeners still answer on the node's own addresses.
     */
    @Test
    void theExposureTableLetsAProxyAddressAnswerOnlyOnItsServicesPorts() throws Exception {
        assertEquals("problems ", child.ask("sync lo 198.18.0.40,fd18:18::40"));
        List<Process> servers = new ArrayList<>();
        Path rules = Files.createTempFile("exposure", ".nft");
        try {
            for (int port : new int[] {7472, 8080}) { // the speaker's metrics port, and a Service's
                servers.add(new ProcessBuilder(
                                "ip",
                                "netns",
                                "exec",
                                NS,
                                "python3",
                                "-m",
                                "http.server",
                                "--bind",
                                "::",
                                Integer.toString(port))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start());
            }
            for (String url :
                    List.of("http://198.18.0.40:7472/", "http://[fd18:18::40]:7472/", "http://198.18.0.40:8080/")) {
                assertEquals("200", await(url), "before the table: " + url);
            }
            Files.writeString(
                    rules,
                    io.herald.speaker.proxy.ExposureRules.replace(
                            List.of(IpAddress.parse("198.18.0.40"), IpAddress.parse("fd18:18::40")),
                            List.of(
                                    new io.herald.speaker.proxy.ListenerSpec.Key(
                                            IpAddress.parse("198.18.0.40"),
                                            8080,
                                            io.herald.speaker.proxy.ListenerSpec.Transport.TCP),
                                    new io.herald.speaker.proxy.ListenerSpec.Key(
                                            IpAddress.parse("fd18:18::40"),
                                            8080,
                                            io.herald.speaker.proxy.ListenerSpec.Transport.TCP))));
            assertEquals("applied", child.ask("nft " + rules));
            assertEquals("200", curl("http://198.18.0.40:8080/"));
            assertEquals("200", curl("http://[fd18:18::40]:8080/"));
            assertEquals("000", curl("http://198.18.0.40:7472/"), "dropped, not refused: curl times out");
            assertEquals("000", curl("http://[fd18:18::40]:7472/"));
            assertEquals("200", curl("http://127.0.0.1:7472/"), "the node's own addresses are not guarded");
            run("ip", "netns", "exec", NS, "ping", "-c", "1", "-W", "2", "198.18.0.40");
            // applied again (a replan) once the process holds descriptors past 1023, as a speaker relaying
            // many UDP flows does (libnftables selects on its socket; a descriptor above 1023 aborted the JVM):
            // the table is replaced, not added to
            assertEquals("holding 1100", child.ask("hold 1100"));
            assertEquals("applied", child.ask("nft " + rules));
            String table = run("ip", "netns", "exec", NS, "nft", "list", "table", "inet", "herald");
            assertEquals(1, table.split("chain input", -1).length - 1, table);

            Files.writeString(rules, io.herald.speaker.proxy.ExposureRules.remove());
            assertEquals("applied", child.ask("nft " + rules));
            assertEquals("200", curl("http://198.18.0.40:7472/"));
            assertEquals("applied", child.ask("nft " + rules), "removing an absent table is no error");

            Files.writeString(
                    rules, "table inet herald { chain input { type filter hook input priority 0; drop-it; } }\n");
            String refused = child.ask("nft " + rules);
            assertTrue(refused.startsWith("failure java.io.IOException: nftables refused the script: "), refused);
        } finally {
            servers.forEach(Process::destroyForcibly);
            Files.deleteIfExists(rules);
            child.ask("sync lo -");
        }
    }

    /** The HTTP status curl got from inside the namespace, "000" when it got none within a second. */
    private static String curl(String url) throws Exception {
        Process p = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        NS,
                        "curl",
                        "-s",
                        "-o",
                        "/dev/null",
                        "-w",
                        "%{http_code}",
                        "--max-time",
                        "1",
                        "-g",
                        url)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    private static String await(String url) throws Exception {
        String code = "";
        for (int i = 0; i < 50 && !code.equals("200"); i++) {
            code = curl(url);
            if (!code.equals("200")) {
                Thread.sleep(100);
            }
        }
        return code;
    }

    private static Set<String> listed(String device) throws Exception {
        String answer = child.ask("list " + device);
        assertTrue(answer.startsWith("list "), answer);
        return new LinkedHashSet<>(Arrays.asList(answer.substring(5).split(" ")));
    }

    /** address/prefix of every inet and inet6 entry {@code ip -o addr show dev DEVICE} prints. */
    private static Set<String> ipAddresses(String device) throws Exception {
        Set<String> out = new LinkedHashSet<>();
        for (String l : ip("-o", "addr", "show", "dev", device).split("\n")) {
            String[] f = l.trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++) {
                if (f[i].equals("inet") || f[i].equals("inet6")) {
                    out.add(f[i + 1]);
                }
            }
        }
        return out;
    }

    private static String line(String text, String containing) {
        return text.lines()
                .filter(l -> l.contains(containing))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + containing + " in:\n" + text));
    }

    private static String ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", NS));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** A {@link NetlinkChild} JVM behind a command prefix; answers are awaited with a deadline. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final BufferedReader out;
        private final BufferedWriter in;
        private final ExecutorService reader = Executors.newSingleThreadExecutor();

        private Child(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        }

        static Child start(List<String> prefix) throws Exception {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("java.class.path"),
                    NetlinkChild.class.getName()));
            Child c = new Child(new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start());
            String ready = c.next(120);
            if (!"ready".equals(ready)) {
                c.close();
                fail("the child JVM (" + String.join(" ", cmd) + ") said " + ready);
            }
            return c;
        }

        String ask(String command) throws Exception {
            in.write(command);
            in.newLine();
            in.flush();
            return next(60);
        }

        private String next(int seconds) throws Exception {
            Future<String> line = reader.submit(out::readLine);
            try {
                return line.get(seconds, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                line.cancel(true);
                throw new AssertionError("no answer from the child JVM in " + seconds + " s", e);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            reader.shutdownNow();
        }
    }
}
