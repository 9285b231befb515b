package io.herald.api.v1alpha1;

/**
 * The CEL rules that refuse a pool entry holding addresses that can never be a load balancer's
 * (io.herald.api.model.UnusableAddresses, which the pool model checks too). Annotation values must
 * be constants, so the expressions are written out here; UnusableRulesTest checks each against the
 * one the model derives from its blocks, so the two cannot drift apart.
 */
final class UnusableRules {

    private UnusableRules() {}

    static final String RANGE_WHERE = IPPoolSpec.RANGE_WHERE;
    static final String UNSPECIFIED = "((isCIDR(a) && (cidr(a).containsIP('0.0.0.0') || "
            + "cidr('0.0.0.0/8').containsIP(cidr(a).ip()))) || (isIP(a) && cidr('0.0.0.0/8').containsIP(a)) || "
            + RANGE_WHERE + " && ip(s).family() == 4 && ip(e).family() == 4 && "
            + "cidr('0.0.0.0/8').containsIP(s)))) || (isCIDR(a) && (cidr(a).containsIP('::') || "
            + "cidr('::/128').containsIP(cidr(a).ip()))) || (isIP(a) && cidr('::/128').containsIP(a)) || "
            + RANGE_WHERE + " && ip(s).family() == 6 && ip(e).family() == 6 && "
            + "cidr('::/128').containsIP(s)))))";
    static final String LOOPBACK = "((isCIDR(a) && (cidr(a).containsIP('127.0.0.0') || "
            + "cidr('127.0.0.0/8').containsIP(cidr(a).ip()))) || (isIP(a) && "
            + "cidr('127.0.0.0/8').containsIP(a)) || " + RANGE_WHERE + " && ip(s).family() == 4 && "
            + "ip(e).family() == 4 && (cidr('127.0.0.0/8').containsIP(e) || "
            + "(cidr('128.0.0.0/1').containsIP(e))) && !(cidr('128.0.0.0/1').containsIP(s))))) || "
            + "(isCIDR(a) && (cidr(a).containsIP('::1') || cidr('::1/128').containsIP(cidr(a).ip()))) || "
            + "(isIP(a) && cidr('::1/128').containsIP(a)) || " + RANGE_WHERE + " && ip(s).family() == 6 && "
            + "ip(e).family() == 6 && !(cidr('::/128').containsIP(e)) && (cidr('::1/128').containsIP(s) || "
            + "(cidr('::/128').containsIP(s)))))))";
    static final String LINK_LOCAL = "((isCIDR(a) && (cidr(a).containsIP('169.254.0.0') || "
            + "cidr('169.254.0.0/16').containsIP(cidr(a).ip()))) || (isIP(a) && "
            + "cidr('169.254.0.0/16').containsIP(a)) || " + RANGE_WHERE + " && ip(s).family() == 4 && "
            + "ip(e).family() == 4 && (cidr('169.254.0.0/16').containsIP(e) || "
            + "(cidr('192.0.0.0/2').containsIP(e) || cidr('176.0.0.0/4').containsIP(e) || "
            + "cidr('172.0.0.0/6').containsIP(e) || cidr('170.0.0.0/7').containsIP(e) || "
            + "cidr('169.255.0.0/16').containsIP(e))) && !(cidr('192.0.0.0/2').containsIP(s) || "
            + "cidr('176.0.0.0/4').containsIP(s) || cidr('172.0.0.0/6').containsIP(s) || "
            + "cidr('170.0.0.0/7').containsIP(s) || cidr('169.255.0.0/16').containsIP(s))))) || (isCIDR(a) && "
            + "(cidr(a).containsIP('fe80::') || cidr('fe80::/10').containsIP(cidr(a).ip()))) || (isIP(a) && "
            + "cidr('fe80::/10').containsIP(a)) || " + RANGE_WHERE + " && ip(s).family() == 6 && "
            + "ip(e).family() == 6 && (cidr('fe80::/10').containsIP(e) || (cidr('ff00::/8').containsIP(e) || "
            + "cidr('fec0::/10').containsIP(e))) && !(cidr('ff00::/8').containsIP(s) || "
            + "cidr('fec0::/10').containsIP(s))))))";
    static final String MULTICAST = "((isCIDR(a) && (cidr(a).containsIP('224.0.0.0') || "
            + "cidr('224.0.0.0/4').containsIP(cidr(a).ip()))) || (isIP(a) && "
            + "cidr('224.0.0.0/4').containsIP(a)) || " + RANGE_WHERE + " && ip(s).family() == 4 && "
            + "ip(e).family() == 4 && (cidr('224.0.0.0/4').containsIP(e) || "
            + "(cidr('240.0.0.0/4').containsIP(e))) && !(cidr('240.0.0.0/4').containsIP(s))))) || "
            + "(isCIDR(a) && (cidr(a).containsIP('ff00::') || cidr('ff00::/8').containsIP(cidr(a).ip()))) || "
            + "(isIP(a) && cidr('ff00::/8').containsIP(a)) || " + RANGE_WHERE + " && ip(s).family() == 6 && "
            + "ip(e).family() == 6 && cidr('ff00::/8').containsIP(e)))))";
    static final String RESERVED = "((isCIDR(a) && (cidr(a).containsIP('240.0.0.0') || "
            + "cidr('240.0.0.0/4').containsIP(cidr(a).ip()))) || (isIP(a) && "
            + "cidr('240.0.0.0/4').containsIP(a)) || " + RANGE_WHERE + " && ip(s).family() == 4 && "
            + "ip(e).family() == 4 && cidr('240.0.0.0/4').containsIP(e)))))";
    static final String IPV4_MAPPED =
            "((isCIDR(a) && cidr(a).prefixLength() <= 95 && cidr(a).containsIP('::fffe:0:0')) || "
                    + RANGE_WHERE + " && ip(s).family() == 6 && ip(e).family() == 6 && "
                    + "cidr('::/80').containsIP(s) && !cidr('::/80').containsIP(e)))))";
    static final String UNSPECIFIED_WHY = "holds unspecified addresses (0.0.0.0/8, ::/128), which name no host";
    static final String LOOPBACK_WHY = "holds loopback addresses (127.0.0.0/8, ::1/128), which never leave a host";
    static final String LINK_LOCAL_WHY =
            "holds link-local addresses (169.254.0.0/16, fe80::/10), which routers do not forward";
    static final String MULTICAST_WHY =
            "holds multicast addresses (224.0.0.0/4, ff00::/8), and a load balancer address must be unicast";
    static final String RESERVED_WHY = "holds reserved and broadcast addresses (240.0.0.0/4), which hosts do not route";
    static final String IPV4_MAPPED_WHY =
            "holds IPv4-mapped IPv6 addresses (::ffff:0:0/96), which never appear on the wire: write the IPv4 address";
}
