package io.herald.speaker.host;

import io.herald.api.model.IpAddress;
import io.herald.speaker.host.netlink.InterfaceAddress;
import io.herald.speaker.host.netlink.NetlinkErrorException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Run by {@link LoopbackNetlinkIT} inside a network namespace: reads one command a line on stdin and
 * answers one line on stdout, so the test can look at the kernel with {@code ip} between the steps.
 * <pre>
 * add DEV ADDR      added | already | error ERRNO MESSAGE
 * remove DEV ADDR   removed | absent | error ERRNO MESSAGE
 * list DEV          list ADDR/PREFIX ...
 * sync DEV A,B|-    problems LINE | LINE ...  (ours: 198.18.0.0/16 and fd18::/16 by text)
 * </pre>
 */
public final class NetlinkChild {

    public static void main(String[] args) throws IOException {
        // the answers alone on stdout: log lines go to stderr
        PrintStream answers = System.out;
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        answers.println("ready");
        answers.flush();
        for (String line; (line = in.readLine()) != null; ) {
            answers.println(answer(line.trim().split(" ")));
            answers.flush();
        }
    }

    private static PacketFilter filter;
    private static final List<java.nio.channels.FileChannel> held = new java.util.ArrayList<>();

    private static String answer(String[] c) {
        NetlinkDeviceAddresses device = new NetlinkDeviceAddresses(c[1]);
        try {
            return switch (c[0]) {
                case "add" -> device.addHost(IpAddress.parse(c[2])) ? "added" : "already";
                case "remove" -> device.removeHost(IpAddress.parse(c[2])) ? "removed" : "absent";
                case "list" ->
                    "list " + device.list().stream().map(NetlinkChild::cidr).collect(Collectors.joining(" "));
                case "sync" -> {
                    Set<IpAddress> wanted = c[2].equals("-")
                            ? Set.of()
                            : Arrays.stream(c[2].split(","))
                                    .map(IpAddress::parse)
                                    .collect(Collectors.toSet());
                    List<String> problems = new LoopbackAddresses(device)
                            .sync(
                                    wanted,
                                    a -> a.toString().startsWith("198.18.")
                                            || a.toString().startsWith("fd18:"));
                    yield "problems " + String.join(" | ", problems);
                }
                case "nft" -> { // nft FILE: the script in FILE through libnftables (one filter, as the speaker has)
                    if (filter == null) {
                        filter = NftablesFilter.load("libnftables.so.1");
                    }
                    filter.run(java.nio.file.Files.readString(java.nio.file.Path.of(c[1])));
                    yield "applied";
                }
                case "hold" -> { // hold N: N more open descriptors, as a speaker relaying many flows has
                    for (int i = 0; i < Integer.parseInt(c[1]); i++) {
                        held.add(java.nio.channels.FileChannel.open(java.nio.file.Path.of("/dev/null")));
                    }
                    yield "holding " + held.size();
                }
                default -> "unknown command " + c[0];
            };
        } catch (NetlinkErrorException e) {
            return "error " + e.errno() + " " + e.getMessage();
        } catch (IOException | RuntimeException e) {
            return "failure " + e;
        }
    }

    private static String cidr(InterfaceAddress a) {
        return a.address() + "/" + a.prefixLength();
    }
}
