package io.herald.controller.allocator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.api.model.IpAddress;
import io.herald.api.model.IpFamily;
import io.herald.api.model.PoolDefinition;
import io.herald.api.model.Selector;
import io.herald.api.model.ServiceKey;
import io.herald.api.model.SpecException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The allocator as scenario tables: each scenario is a list of steps run against one allocator, each
 * step with the whole result it must give. Results read "10.0.0.1 fd00::1 <- a" (addresses, then pools),
 * "refused Reason: message", "lost [ns/name, ...]" (Services whose addresses a new pool set took away)
 * or a pool's counts per family, "IPv4 total/assigned/available, IPv6 ...".
 */
class AddressAllocatorTest {

    // --- the DSL ---------------------------------------------------------------------------------

    record Step(String label, Function<AddressAllocator, String> action, String expected) {
        @Override
        public String toString() {
            return label;
        }
    }

    static final class Req {
        final String ns, name;
        List<IpFamily> families = List.of(IpFamily.IPv4);
        DualStack policy = DualStack.SingleStack;
        List<IpAddress> requested = List.of(), current = List.of();
        String pool, sharingKey, backend = "";
        Set<PortKey> ports = Set.of(new PortKey("TCP", 80));
        Map<String, String> nsLabels = Map.of(), labels = Map.of();

        Req(String key) {
            String[] p = key.split("/");
            ns = p[0];
            name = p[1];
        }

        Req v6() {
            families = List.of(IpFamily.IPv6);
            return this;
        }

        Req dual(DualStack p) {
            families = List.of(IpFamily.IPv4, IpFamily.IPv6);
            policy = p;
            return this;
        }

        Req dual6(DualStack p) {
            families = List.of(IpFamily.IPv6, IpFamily.IPv4);
            policy = p;
            return this;
        }

        Req ip(String... a) {
            requested = Arrays.stream(a).map(IpAddress::parse).toList();
            return this;
        }

        Req current(String... a) {
            current = Arrays.stream(a).map(IpAddress::parse).toList();
            return this;
        }

        Req pool(String p) {
            pool = p;
            return this;
        }

        Req share(String k) {
            sharingKey = k;
            return this;
        }

        Req backend(String b) {
            backend = b;
            return this;
        }

        Req ports(String... ps) {
            ports = Arrays.stream(ps)
                    .map(s -> new PortKey(s.split("/")[0], Integer.parseInt(s.split("/")[1])))
                    .collect(Collectors.toSet());
            return this;
        }

        Req nsLabels(String k, String v) {
            nsLabels = Map.of(k, v);
            return this;
        }

        Req labels(String k, String v) {
            labels = Map.of(k, v);
            return this;
        }

        AllocationRequest build() {
            return new AllocationRequest(
                    new ServiceKey(ns, name),
                    nsLabels,
                    labels,
                    families,
                    policy,
                    requested,
                    current,
                    pool,
                    sharingKey,
                    ports,
                    backend);
        }

        @Override
        public String toString() {
            return ns + "/" + name;
        }
    }

    static Req svc(String key) {
        return new Req(key);
    }

    static final class Pool {
        final PoolDefinition.Builder b;

        Pool(String name, String... addresses) {
            b = PoolDefinition.builder(name)
                    .addresses(List.of(addresses))
                    .created(Instant.parse("2026-01-01T00:00:00Z"));
        }

        Pool age(int day) {
            b.created(Instant.parse("2026-01-01T00:00:00Z").plusSeconds(86400L * day));
            return this;
        }

        Pool manual() {
            b.autoAssign(false);
            return this;
        }

        Pool avoidBuggy() {
            b.avoidBuggyIPs(true);
            return this;
        }

        Pool disabled() {
            b.disabled(true);
            return this;
        }

        Pool priority(int p) {
            b.priority(p);
            return this;
        }

        Pool namespaces(String... ns) {
            b.namespaces(List.of(ns));
            return this;
        }

        Pool nsSelector(String k, String v) {
            b.namespaceSelector(new Selector(Map.of(k, v), List.of()));
            return this;
        }

        Pool svcSelector(String k, String v) {
            b.serviceSelector(new Selector(Map.of(k, v), List.of()));
            return this;
        }

        PoolDefinition build() {
            try {
                return b.build();
            } catch (SpecException e) {
                throw new IllegalArgumentException(e);
            }
        }
    }

    static Pool pool(String name, String... addresses) {
        return new Pool(name, addresses);
    }

    /** A new pool set that takes no Service's addresses away. */
    static Step pools(Pool... ps) {
        return poolsLosing("[]", ps);
    }

    static Step poolsLosing(String expectedLost, Pool... ps) {
        String label = "pools " + Arrays.stream(ps).map(p -> p.build().name()).toList();
        return new Step(
                label,
                a -> {
                    Set<ServiceKey> lost =
                            a.setPools(Arrays.stream(ps).map(Pool::build).toList());
                    return "lost " + lost;
                },
                "lost " + expectedLost);
    }

    static Step assign(Req r, String expected) {
        return new Step("assign " + r, a -> show(a.assign(r.build())), expected);
    }

    static Step release(String key, String expected) {
        String[] p = key.split("/");
        return new Step(
                "release " + key, a -> a.release(new ServiceKey(p[0], p[1])) ? "released" : "nothing", expected);
    }

    static Step stats(String pool, String expected) {
        return new Step(
                "stats " + pool,
                a -> a.stats(pool).entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue().total() + "/"
                                + e.getValue().assigned() + "/" + e.getValue().available())
                        .collect(Collectors.joining(", ")),
                expected);
    }

    static Step conflict(String pool, String expected) {
        return new Step("conflict " + pool, a -> a.conflictOf(pool).orElse("none"), expected);
    }

    static String show(Outcome o) {
        return switch (o) {
            case Outcome.Assigned as ->
                as.allocation().addresses().stream().map(IpAddress::toString).collect(Collectors.joining(" ")) + " <- "
                        + as.allocation().poolNames();
            case Outcome.Refused r ->
                "refused " + r.refusal().reason() + ": " + r.refusal().message();
        };
    }

    static Arguments scenario(String name, Step... steps) {
        return Arguments.of(name, List.of(steps));
    }

    // --- the scenarios ---------------------------------------------------------------------------

    static Stream<Arguments> scenarios() {
        return Stream.of(
                scenario(
                        "assigns in order and reassigns idempotently",
                        pools(pool("a", "10.0.0.0/30")),
                        assign(svc("ns/s1"), "10.0.0.0 <- a"),
                        assign(svc("ns/s2"), "10.0.0.1 <- a"),
                        assign(svc("ns/s1"), "10.0.0.0 <- a"),
                        assign(svc("ns/s1"), "10.0.0.0 <- a"),
                        stats("a", "IPv4 4/2/2, IPv6 0/0/0")),
                scenario(
                        "exhaustion is refused with the pool named, and release frees the address",
                        pools(pool("a", "10.0.0.1-10.0.0.2")),
                        assign(svc("ns/s1"), "10.0.0.1 <- a"),
                        assign(svc("ns/s2"), "10.0.0.2 <- a"),
                        assign(svc("ns/s3"), "refused PoolExhausted: no free IPv4 address in IPPools [a]"),
                        release("ns/s1", "released"),
                        release("ns/s1", "nothing"),
                        assign(svc("ns/s3"), "10.0.0.1 <- a"),
                        stats("a", "IPv4 2/2/0, IPv6 0/0/0")),
                scenario("no pools at all", assign(svc("ns/s1"), "refused NoPool: there is no usable IPPool")),
                scenario(
                        "requested address: granted, conflicting, outside every pool, wrong family",
                        pools(pool("a", "10.0.0.0/24")),
                        assign(svc("ns/s1").ip("10.0.0.77"), "10.0.0.77 <- a"),
                        assign(
                                svc("ns/s2").ip("10.0.0.77"),
                                "refused AddressInUse: address 10.0.0.77 is in use by ns/s1, which shares with nobody (this Service has no sharing key)"),
                        assign(
                                svc("ns/s3").ip("192.0.2.1"),
                                "refused AddressNotInPool: requested address 192.0.2.1 is in no IPPool"),
                        assign(
                                svc("ns/s4").ip("fd00::1"),
                                "refused FamilyUnavailable: requested address fd00::1 is IPv6 but the Service's ipFamilies are [IPv4]"),
                        assign(svc("ns/s5"), "10.0.0.0 <- a"),
                        assign(svc("ns/s6"), "10.0.0.1 <- a")),
                scenario(
                        "changing the requested address moves the Service and frees the old one",
                        pools(pool("a", "10.0.0.0/29")),
                        assign(svc("ns/s1").ip("10.0.0.5"), "10.0.0.5 <- a"),
                        assign(svc("ns/s1").ip("10.0.0.6"), "10.0.0.6 <- a"),
                        assign(svc("ns/s2").ip("10.0.0.5"), "10.0.0.5 <- a"),
                        stats("a", "IPv4 8/2/6, IPv6 0/0/0")),
                scenario(
                        "a refused change takes nothing from anyone else",
                        pools(pool("a", "10.0.0.0/29")),
                        assign(svc("ns/s1"), "10.0.0.0 <- a"),
                        assign(svc("ns/s2"), "10.0.0.1 <- a"),
                        assign(
                                svc("ns/s2").ip("10.0.0.0"),
                                "refused AddressInUse: address 10.0.0.0 is in use by ns/s1, which shares with nobody (this Service has no sharing key)"),
                        assign(svc("ns/s1"), "10.0.0.0 <- a"),
                        stats("a", "IPv4 8/1/7, IPv6 0/0/0")),
                scenario(
                        "sharing: same key, disjoint ports, same backends",
                        pools(pool("a", "10.0.0.0/24")),
                        assign(svc("ns/web").share("k").ports("TCP/80"), "10.0.0.0 <- a"),
                        assign(svc("ns/dns").share("k").ports("UDP/53"), "10.0.0.0 <- a"),
                        assign(svc("ns/tls").share("k").ports("TCP/443"), "10.0.0.0 <- a"),
                        assign(svc("ns/clash").share("k").ports("TCP/80"), "10.0.0.1 <- a"),
                        assign(
                                svc("ns/clash2").share("k").ports("TCP/80").ip("10.0.0.0"),
                                "refused AddressInUse: address 10.0.0.0 is in use by ns/web on TCP/80"),
                        assign(
                                svc("ns/other").share("x").ports("TCP/8080").ip("10.0.0.0"),
                                "refused AddressInUse: address 10.0.0.0 is in use by ns/dns with another sharing key"),
                        assign(
                                svc("ns/local")
                                        .share("k")
                                        .ports("TCP/9")
                                        .backend("app=x")
                                        .ip("10.0.0.0"),
                                "refused AddressInUse: address 10.0.0.0 is in use by ns/dns, whose backends differ (Services sharing"
                                        + " an address with externalTrafficPolicy: Local must select the same pods)"),
                        stats("a", "IPv4 256/2/254, IPv6 0/0/0"),
                        release("ns/web", "released"),
                        release("ns/dns", "released"),
                        stats("a", "IPv4 256/2/254, IPv6 0/0/0"),
                        release("ns/tls", "released"),
                        stats("a", "IPv4 256/1/255, IPv6 0/0/0")),
                scenario(
                        "sharing off: a key alone shares nothing with a keyless Service",
                        pools(pool("a", "10.0.0.0/24")),
                        assign(svc("ns/a").ports("TCP/80"), "10.0.0.0 <- a"),
                        assign(svc("ns/b").share("k").ports("TCP/81"), "10.0.0.1 <- a"),
                        assign(
                                svc("ns/c").ports("TCP/82").ip("10.0.0.1"),
                                "refused AddressInUse: address 10.0.0.1 is in use by ns/b with another sharing key (this Service has no sharing key)")),
                scenario(
                        "dual-stack: Prefer, Require, Single, and the Service's family order",
                        pools(
                                pool("a-v4", "10.0.0.0/30").age(0),
                                pool("b-dual", "10.1.0.0/30", "fd00:1::/126").age(1),
                                pool("c-v6", "fd00:2::/126").age(2)),
                        assign(svc("ns/single"), "10.0.0.0 <- a-v4"),
                        assign(svc("ns/single6").v6(), "fd00:1:: <- b-dual"),
                        assign(svc("ns/prefer").dual(DualStack.PreferDualStack), "10.1.0.0 fd00:1::1 <- b-dual"),
                        assign(svc("ns/require").dual(DualStack.RequireDualStack), "10.1.0.1 fd00:1::2 <- b-dual"),
                        assign(svc("ns/v6first").dual6(DualStack.RequireDualStack), "fd00:1::3 10.1.0.2 <- b-dual"),
                        assign(svc("ns/spill").dual(DualStack.RequireDualStack), "10.0.0.1 fd00:2:: <- a-v4,c-v6"),
                        assign(
                                svc("ns/ask").dual(DualStack.RequireDualStack).ip("10.0.0.3", "fd00:2::3"),
                                "10.0.0.3 fd00:2::3 <- a-v4,c-v6"),
                        assign(
                                svc("ns/ask1").dual(DualStack.RequireDualStack).ip("10.0.0.2"),
                                "refused InvalidRequest: RequireDualStack needs one requested address per family [IPv4, IPv6]")),
                scenario(
                        "dual-stack: Prefer takes one family when the other is gone, Require refuses",
                        pools(pool("dual", "10.1.0.0/31", "fd00:1::/127")),
                        assign(svc("ns/a").v6(), "fd00:1:: <- dual"),
                        assign(svc("ns/b").v6(), "fd00:1::1 <- dual"),
                        assign(svc("ns/prefer").dual(DualStack.PreferDualStack), "10.1.0.0 <- dual"),
                        assign(
                                svc("ns/require").dual(DualStack.RequireDualStack),
                                "refused PoolExhausted: no free IPv6 address in IPPools [dual] (RequireDualStack)"),
                        stats("dual", "IPv4 2/1/1, IPv6 2/2/0")),
                scenario(
                        "a family no pool has",
                        pools(pool("v4", "10.0.0.0/30")),
                        assign(
                                svc("ns/s").v6(),
                                "refused FamilyUnavailable: no IPPool available to this Service has IPv6 addresses")),
                scenario(
                        "autoAssign false: only by request or by pool name",
                        pools(pool("manual", "10.9.0.0/30").manual()),
                        assign(
                                svc("ns/auto"),
                                "refused NoPool: no IPPool assigns addresses automatically (autoAssign: false); ask for a pool or an address"),
                        assign(svc("ns/pinned").pool("manual"), "10.9.0.0 <- manual"),
                        assign(svc("ns/asked").ip("10.9.0.2"), "10.9.0.2 <- manual")),
                scenario(
                        "pool pinning: unknown, wrong pool for the address",
                        pools(pool("a", "10.0.0.0/30"), pool("b", "10.1.0.0/30")),
                        assign(svc("ns/s").pool("b"), "10.1.0.0 <- b"),
                        assign(svc("ns/t").pool("nope"), "refused PoolNotFound: IPPool nope does not exist"),
                        assign(
                                svc("ns/u").pool("a").ip("10.1.0.3"),
                                "refused AddressNotInPool: requested address 10.1.0.3 is in IPPool b, not in IPPool a the Service asks for")),
                scenario(
                        "avoidBuggyIPs skips .0 and .255 and refuses them by request",
                        pools(pool("a", "10.0.0.254-10.0.1.1").avoidBuggy()),
                        stats("a", "IPv4 2/0/2, IPv6 0/0/0"),
                        assign(svc("ns/1"), "10.0.0.254 <- a"),
                        assign(svc("ns/2"), "10.0.1.1 <- a"),
                        assign(svc("ns/3"), "refused PoolExhausted: no free IPv4 address in IPPools [a]"),
                        assign(
                                svc("ns/4").ip("10.0.1.0"),
                                "refused AddressExcluded: address 10.0.1.0 ends in .0 or .255 and IPPool a has avoidBuggyIPs"),
                        release("ns/1", "released"),
                        assign(svc("ns/5"), "10.0.0.254 <- a")),
                scenario(
                        "without avoidBuggyIPs .0 and .255 are ordinary",
                        pools(pool("a", "10.0.0.255-10.0.1.0")),
                        assign(svc("ns/1"), "10.0.0.255 <- a"),
                        assign(svc("ns/2"), "10.0.1.0 <- a")),
                scenario(
                        "disabled pool keeps what it gave, gives nothing new",
                        pools(pool("a", "10.0.0.0/30")),
                        assign(svc("ns/old"), "10.0.0.0 <- a"),
                        pools(pool("a", "10.0.0.0/30").disabled()),
                        assign(svc("ns/old"), "10.0.0.0 <- a"),
                        assign(
                                svc("ns/new"),
                                "refused PoolDisabled: no IPPool may assign to this Service: IPPool a is disabled"),
                        assign(
                                svc("ns/asks").ip("10.0.0.3"),
                                "refused PoolDisabled: requested address 10.0.0.3 is in IPPool a, which is disabled"),
                        assign(svc("ns/restarted").current("10.0.0.1"), "10.0.0.1 <- a")),
                scenario(
                        "allocation rules and priority order the pools",
                        pools(
                                pool("general", "10.0.0.0/30"),
                                pool("shop-low", "10.1.0.0/30")
                                        .namespaces("shop")
                                        .priority(20),
                                pool("shop-high", "10.2.0.0/30")
                                        .namespaces("shop")
                                        .priority(10),
                                pool("web", "10.3.0.0/30").nsSelector("team", "web"),
                                pool("public", "10.4.0.0/30").svcSelector("exposure", "public")),
                        assign(svc("shop/a"), "10.2.0.0 <- shop-high"),
                        assign(svc("other/b"), "10.0.0.0 <- general"),
                        assign(svc("x/c").nsLabels("team", "web"), "10.3.0.0 <- web"),
                        assign(svc("x/d").labels("exposure", "public"), "10.4.0.0 <- public"),
                        assign(
                                svc("x/e").pool("shop-high"),
                                "refused NotAllowed: IPPool shop-high allows only namespaces [shop]"),
                        assign(
                                svc("x/f").pool("web"),
                                "refused NotAllowed: namespace x does not match IPPool web's namespaceSelector"),
                        assign(
                                svc("x/g").ip("10.4.0.3"),
                                "refused NotAllowed: requested address 10.4.0.3: the Service's labels do not match IPPool public's serviceSelector")),
                scenario(
                        "only restricted pools, none matching: every reason is given",
                        pools(
                                pool("shop", "10.1.0.0/30").namespaces("shop"),
                                pool("web", "10.3.0.0/30").nsSelector("team", "web")),
                        assign(
                                svc("x/a"),
                                "refused NotAllowed: no IPPool may assign to this Service: IPPool shop allows only namespaces [shop]; namespace x does not match IPPool web's namespaceSelector")),
                scenario(
                        "a Service no longer allowed by its pool moves to one that allows it",
                        pools(pool("shop", "10.1.0.0/30").namespaces("shop"), pool("general", "10.0.0.0/30")),
                        assign(svc("shop/a").labels("x", "y"), "10.1.0.0 <- shop"),
                        pools(pool("shop", "10.1.0.0/30").namespaces("other"), pool("general", "10.0.0.0/30")),
                        assign(svc("shop/a"), "10.0.0.0 <- general"),
                        stats("shop", "IPv4 4/0/4, IPv6 0/0/0")),
                scenario(
                        "overlap: the newer pool is Conflicting and unused, until the older one goes",
                        pools(
                                pool("old", "10.0.0.0/24").age(0),
                                pool("new", "10.0.0.128/25", "10.5.0.0/30").age(1)),
                        conflict("new", "old"),
                        conflict("old", "none"),
                        assign(
                                svc("ns/a").pool("new"),
                                "refused PoolConflicting: IPPool new is not used: it overlaps the older IPPool old"),
                        assign(
                                svc("ns/b").ip("10.5.0.1"),
                                "refused PoolConflicting: requested address 10.5.0.1 is in IPPool new, which is not used: it overlaps"
                                        + " the older IPPool old"),
                        assign(svc("ns/c").ip("10.0.0.200"), "10.0.0.200 <- old"),
                        poolsLosing(
                                "[ns/c]",
                                pool("new", "10.0.0.128/25", "10.5.0.0/30").age(1)),
                        conflict("new", "none"),
                        assign(svc("ns/c").current("10.0.0.200"), "10.0.0.200 <- new")),
                scenario(
                        "pool deleted under assigned Services: they lose the addresses, then get new ones",
                        pools(
                                pool("a", "10.0.0.0/30").age(0),
                                pool("b", "10.1.0.0/30").age(1)),
                        assign(svc("ns/s1"), "10.0.0.0 <- a"),
                        assign(svc("ns/s2"), "10.0.0.1 <- a"),
                        assign(svc("ns/s3").pool("b"), "10.1.0.0 <- b"),
                        poolsLosing("[ns/s1, ns/s2]", pool("b", "10.1.0.0/30").age(1)),
                        assign(svc("ns/s1").current("10.0.0.0"), "10.1.0.1 <- b"),
                        assign(svc("ns/s2").current("10.0.0.1"), "10.1.0.2 <- b"),
                        stats("b", "IPv4 4/3/1, IPv6 0/0/0"),
                        stats("a", "")),
                scenario(
                        "pool shrunk: only Services outside the new ranges lose their addresses",
                        pools(pool("a", "10.0.0.0/29")),
                        assign(svc("ns/s1"), "10.0.0.0 <- a"),
                        assign(svc("ns/s2").ip("10.0.0.6"), "10.0.0.6 <- a"),
                        poolsLosing("[ns/s2]", pool("a", "10.0.0.0/30")),
                        stats("a", "IPv4 4/1/3, IPv6 0/0/0"),
                        assign(
                                svc("ns/s2").ip("10.0.0.6"),
                                "refused AddressNotInPool: requested address 10.0.0.6 is in no IPPool"),
                        assign(svc("ns/s3"), "10.0.0.1 <- a")),
                scenario(
                        "pool grown: nothing moves, new space is used",
                        pools(pool("a", "10.0.0.0/31")),
                        assign(svc("ns/s1"), "10.0.0.0 <- a"),
                        assign(svc("ns/s2"), "10.0.0.1 <- a"),
                        poolsLosing("[]", pool("a", "10.0.0.0/30")),
                        assign(svc("ns/s3"), "10.0.0.2 <- a"),
                        assign(svc("ns/s1"), "10.0.0.0 <- a"),
                        stats("a", "IPv4 4/3/1, IPv6 0/0/0")),
                scenario(
                        "restart: current addresses are registered before anything new is handed out",
                        pools(pool("a", "10.0.0.0/30")),
                        assign(svc("ns/s2").current("10.0.0.2"), "10.0.0.2 <- a"),
                        assign(svc("ns/s1").current("10.0.0.0"), "10.0.0.0 <- a"),
                        assign(svc("ns/s3"), "10.0.0.1 <- a"),
                        assign(svc("ns/bad").current("192.0.2.9"), "10.0.0.3 <- a")),
                scenario(
                        "a /64 is never expanded and counts exactly",
                        pools(pool("v6", "fd00:10::/64")),
                        stats("v6", "IPv4 0/0/0, IPv6 18446744073709551616/0/18446744073709551616"),
                        assign(svc("ns/a").v6(), "fd00:10:: <- v6"),
                        assign(
                                svc("ns/b").v6().ip("fd00:10::ffff:ffff:ffff:ffff"),
                                "fd00:10::ffff:ffff:ffff:ffff <- v6"),
                        assign(svc("ns/c").v6(), "fd00:10::1 <- v6"),
                        stats("v6", "IPv4 0/0/0, IPv6 18446744073709551616/3/18446744073709551613")),
                scenario(
                        "all of global unicast IPv6 is one range",
                        pools(pool("global", "2000::/3")),
                        stats(
                                "global",
                                "IPv4 0/0/0, IPv6 42535295865117307932921825928971026432/0/42535295865117307932921825928971026432"),
                        assign(
                                svc("ns/a").v6().ip("3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
                                "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff <- global"),
                        release("ns/a", "released"),
                        assign(svc("ns/b").v6(), "2000:: <- global")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void scenario(String name, List<Step> steps) {
        AddressAllocator allocator = new AddressAllocator();
        List<String> transcript = new ArrayList<>();
        for (Step s : steps) {
            String got = s.action().apply(allocator);
            transcript.add(s.label() + " -> " + got);
            assertEquals(
                    s.expected(),
                    got,
                    "step \"" + s.label() + "\"\n  transcript:\n    " + String.join("\n    ", transcript));
        }
    }

    @org.junit.jupiter.api.Test
    void sharersAreReported() {
        AddressAllocator a = new AddressAllocator();
        a.setPools(List.of(pool("a", "10.0.0.0/30").build()));
        a.assign(svc("ns/x").share("k").ports("TCP/1").build());
        a.assign(svc("ns/y").share("k").ports("TCP/2").build());
        assertEquals(Set.of(new ServiceKey("ns", "y")), a.sharers(new ServiceKey("ns", "x")));
    }
}
