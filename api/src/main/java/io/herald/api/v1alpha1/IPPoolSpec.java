package io.herald.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Objects;

/**
 * What an operator sets for one pool. Every syntax rule is enforced by the CRD schema and its CEL
 * rules at admission, so a pool that exists is well-formed; what needs several pools to judge
 * (overlap) is the controller's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class IPPoolSpec {

    /* CEL for one entry {@code a} of spec.addresses. A range is "start-end"; no IP address contains
    '-', so the first one splits it. Kubernetes' CEL has no cel.bind, so all() over a one-element
    list names start and end once ({@code s}, {@code e}) instead of recomputing them everywhere.
    Substrings, not split(): the cost estimator bounds a substring by the field's maxLength but
    knows nothing of split()'s parts, and the IPv6 rule below would then look unaffordable. */
    static final String RANGE_WHERE = "(a.contains('-') && [a.substring(0, a.indexOf('-'))].all(s, "
            + "[a.substring(a.indexOf('-') + 1)].all(e, isIP(s) && isIP(e)";
    private static final String END_RANGE = ")))";
    private static final String IS_RANGE = RANGE_WHERE + END_RANGE;
    private static final String WELL_FORMED = "(isCIDR(a) || isIP(a) || " + IS_RANGE + ")";
    private static final String PREFIX_OUT_OF_RANGE = "(a.contains('/') && isIP(a.substring(0, a.indexOf('/')))"
            + " && a.substring(a.indexOf('/') + 1).matches('^[0-9]+$'))";
    private static final String MIXED = RANGE_WHERE + " && ip(s).family() != ip(e).family()" + END_RANGE;
    /* CEL has no ordering on IPs. An IPv4 address fits an int, so its octets make the number. */
    private static final String V4_START =
            "[0, 1, 2, 3].map(i, int(s.split('.')[i]) * [16777216, 65536, 256, 1][i]).sum()";
    private static final String V4_END =
            "[0, 1, 2, 3].map(i, int(e.split('.')[i]) * [16777216, 65536, 256, 1][i]).sum()";
    /* An IPv6 address does not fit an int, so the order comes from the first bit where start and end
    differ: bit p, where start/p still contains end and start/(p+1) no longer does. The range is
    backwards when start has a 1 there, which is when start/(p+1) does not contain start/p's
    network address (whose bit p is 0). CEL has no loops, hence the literal list of (p, p+1)
    suffixes; strings because string(int) has no size bound for the cost estimator. */
    private static final String PREFIX_PAIRS = "["
            + "['/0', '/1'], ['/1', '/2'], ['/2', '/3'], ['/3', '/4'], ['/4', '/5'], ['/5', '/6'], "
            + "['/6', '/7'], ['/7', '/8'], ['/8', '/9'], ['/9', '/10'], ['/10', '/11'], ['/11', '/12'], "
            + "['/12', '/13'], ['/13', '/14'], ['/14', '/15'], ['/15', '/16'], ['/16', '/17'], ['/17', '/18'], "
            + "['/18', '/19'], ['/19', '/20'], ['/20', '/21'], ['/21', '/22'], ['/22', '/23'], ['/23', '/24'], "
            + "['/24', '/25'], ['/25', '/26'], ['/26', '/27'], ['/27', '/28'], ['/28', '/29'], ['/29', '/30'], "
            + "['/30', '/31'], ['/31', '/32'], ['/32', '/33'], ['/33', '/34'], ['/34', '/35'], ['/35', '/36'], "
            + "['/36', '/37'], ['/37', '/38'], ['/38', '/39'], ['/39', '/40'], ['/40', '/41'], ['/41', '/42'], "
            + "['/42', '/43'], ['/43', '/44'], ['/44', '/45'], ['/45', '/46'], ['/46', '/47'], ['/47', '/48'], "
            + "['/48', '/49'], ['/49', '/50'], ['/50', '/51'], ['/51', '/52'], ['/52', '/53'], ['/53', '/54'], "
            + "['/54', '/55'], ['/55', '/56'], ['/56', '/57'], ['/57', '/58'], ['/58', '/59'], ['/59', '/60'], "
            + "['/60', '/61'], ['/61', '/62'], ['/62', '/63'], ['/63', '/64'], ['/64', '/65'], ['/65', '/66'], "
            + "['/66', '/67'], ['/67', '/68'], ['/68', '/69'], ['/69', '/70'], ['/70', '/71'], ['/71', '/72'], "
            + "['/72', '/73'], ['/73', '/74'], ['/74', '/75'], ['/75', '/76'], ['/76', '/77'], ['/77', '/78'], "
            + "['/78', '/79'], ['/79', '/80'], ['/80', '/81'], ['/81', '/82'], ['/82', '/83'], ['/83', '/84'], "
            + "['/84', '/85'], ['/85', '/86'], ['/86', '/87'], ['/87', '/88'], ['/88', '/89'], ['/89', '/90'], "
            + "['/90', '/91'], ['/91', '/92'], ['/92', '/93'], ['/93', '/94'], ['/94', '/95'], ['/95', '/96'], "
            + "['/96', '/97'], ['/97', '/98'], ['/98', '/99'], ['/99', '/100'], ['/100', '/101'], "
            + "['/101', '/102'], ['/102', '/103'], ['/103', '/104'], ['/104', '/105'], ['/105', '/106'], "
            + "['/106', '/107'], ['/107', '/108'], ['/108', '/109'], ['/109', '/110'], ['/110', '/111'], "
            + "['/111', '/112'], ['/112', '/113'], ['/113', '/114'], ['/114', '/115'], ['/115', '/116'], "
            + "['/116', '/117'], ['/117', '/118'], ['/118', '/119'], ['/119', '/120'], ['/120', '/121'], "
            + "['/121', '/122'], ['/122', '/123'], ['/123', '/124'], ['/124', '/125'], ['/125', '/126'], "
            + "['/126', '/127'], ['/127', '/128']]";
    private static final String V6_BACKWARDS = PREFIX_PAIRS + ".exists(p, cidr(s + p[0]).containsIP(e)"
            + " && !cidr(s + p[1]).containsIP(e) && !cidr(s + p[1]).containsIP(cidr(s + p[0]).masked().ip()))";
    private static final String BACKWARDS = RANGE_WHERE + " && ip(s).family() == ip(e).family()"
            + " && (ip(s).family() == 4 ? " + V4_START + " > " + V4_END + " : " + V6_BACKWARDS + ")" + END_RANGE;
    /* "in" rather than "==": the cost estimator has no size for IP values and prices == between
    them as unbounded, while "in" is priced by the list's length. */
    private static final String HOST_BITS = "(isCIDR(a) && !(cidr(a).ip() in [cidr(a).masked().ip()]))";
    /* Overlapping IPv4 entries: each well-formed IPv4 entry becomes its [first, last] as numbers
    (a CIDR's size from a literal list of powers of two: CEL has no shift), and every interval
    must overlap itself only. IPv6 cannot be ordered within the API server's cost budget for 64
    entries pairwise, so overlaps involving IPv6 are the controller's: the pool is marked Invalid. */
    private static final String POW2 =
            "[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,"
                    + " 131072, 262144, 524288, 1048576, 2097152, 4194304, 8388608, 16777216, 33554432, 67108864, 134217728,"
                    + " 268435456, 536870912, 1073741824, 2147483648, 4294967296]";
    private static final String V4_FIRST = "[0, 1, 2, 3].map(i, int((a.contains('/') ? a.substring(0, a.indexOf('/'))"
            + " : a.contains('-') ? a.substring(0, a.indexOf('-')) : a).split('.')[i]) * [16777216, 65536, 256, 1][i]).sum()";
    private static final String V4_LAST = "(a.contains('/') ? " + V4_FIRST + " + " + POW2
            + "[32 - int(a.substring(a.indexOf('/') + 1))] - 1 : [0, 1, 2, 3].map(i, int((a.contains('-')"
            + " ? a.substring(a.indexOf('-') + 1) : a).split('.')[i]) * [16777216, 65536, 256, 1][i]).sum())";
    private static final String V4_ENTRIES = "self.filter(a, !a.contains(':') && " + WELL_FORMED + ")";
    private static final String V4_INTERVALS = V4_ENTRIES + ".map(a, [" + V4_FIRST + ", " + V4_LAST + "])";
    private static final String INDEXES =
            "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,"
                    + " 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,"
                    + " 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63]";
    private static final String OVERLAP_IJ = "j < size(l) && j != i && l[i][0] <= l[j][1] && l[j][0] <= l[i][1]";
    private static final String V4_DISJOINT =
            "[" + V4_INTERVALS + "].all(l, l.all(x, l.exists_one(y, x[0] <= y[1] && y[0] <= x[1])))";
    private static final String V4_OVERLAP_MESSAGE = "[" + V4_ENTRIES + "].map(f, [" + V4_INTERVALS + "].map(l, "
            + INDEXES + ".filter(i, i < size(l) && " + INDEXES + ".exists(j, " + OVERLAP_IJ + ")).map(i, '\"' + f[i]"
            + " + '\" overlaps \"' + f[" + INDEXES + ".filter(j, " + OVERLAP_IJ
            + ")[0]] + '\": entries of one pool must"
            + " not share addresses')[0])[0])[0]";
    private static final String FORMS =
            "a CIDR (192.168.10.0/24), a range (192.168.20.10-192.168.20.50) or a single address (192.168.1.5)";

    @Required
    @Size(min = 1, max = 64)
    @ValidationRule(
            value = "self.all(a, " + WELL_FORMED + ")",
            message = "each entry must be " + FORMS,
            messageExpression = "self.filter(a, !" + WELL_FORMED + ").map(a, " + PREFIX_OUT_OF_RANGE
                    + " ? '\"' + a + '\" has a prefix length out of range (at most /32 for IPv4, /128 for IPv6)'"
                    + " : '\"' + a + '\" is not " + FORMS + "')[0]")
    // A CIDR with host bits is refused rather than masked: "192.168.10.5/24" may as well mean the
    // single address, and silently handing out the whole /24 instead would be the worse guess.
    @ValidationRule(
            value = "self.all(a, !" + HOST_BITS + ")",
            message = "a CIDR must not have host bits set: write its network address",
            messageExpression = "self.filter(a, " + HOST_BITS + ").map(a, '\"%s\" has host bits set; its network is %s,"
                    + " or write a single address without a prefix length'.format([a, string(cidr(a).masked())]))[0]")
    @ValidationRule(
            value = "self.all(a, !" + MIXED + ")",
            message = "a range must not mix IPv4 and IPv6",
            messageExpression = "self.filter(a, " + MIXED + ").map(a, 'range \"' + a + '\" mixes IPv4 and IPv6')[0]")
    @ValidationRule(
            value = "self.all(a, !" + BACKWARDS + ")",
            message = "a range must not be backwards: its start must not come after its end",
            messageExpression = "self.filter(a, " + BACKWARDS + ").map(a, "
                    + "'range \"' + a + '\" is backwards: its start comes after its end')[0]")
    // Addresses no client can reach through an L2 announcement (multicast, loopback, ...): one rule
    // per kind, so the message names the kind and its blocks.
    @ValidationRule(
            value = "self.all(a, !" + UnusableRules.UNSPECIFIED + ")",
            message = "an entry " + UnusableRules.UNSPECIFIED_WHY,
            messageExpression = "self.filter(a, " + UnusableRules.UNSPECIFIED + ").map(a, '\"' + a + '\" "
                    + UnusableRules.UNSPECIFIED_WHY + "')[0]")
    @ValidationRule(
            value = "self.all(a, !" + UnusableRules.LOOPBACK + ")",
            message = "an entry " + UnusableRules.LOOPBACK_WHY,
            messageExpression = "self.filter(a, " + UnusableRules.LOOPBACK + ").map(a, '\"' + a + '\" "
                    + UnusableRules.LOOPBACK_WHY + "')[0]")
    @ValidationRule(
            value = "self.all(a, !" + UnusableRules.LINK_LOCAL + ")",
            message = "an entry " + UnusableRules.LINK_LOCAL_WHY,
            messageExpression = "self.filter(a, " + UnusableRules.LINK_LOCAL + ").map(a, '\"' + a + '\" "
                    + UnusableRules.LINK_LOCAL_WHY + "')[0]")
    @ValidationRule(
            value = "self.all(a, !" + UnusableRules.MULTICAST + ")",
            message = "an entry " + UnusableRules.MULTICAST_WHY,
            messageExpression = "self.filter(a, " + UnusableRules.MULTICAST + ").map(a, '\"' + a + '\" "
                    + UnusableRules.MULTICAST_WHY + "')[0]")
    @ValidationRule(
            value = "self.all(a, !" + UnusableRules.RESERVED + ")",
            message = "an entry " + UnusableRules.RESERVED_WHY,
            messageExpression = "self.filter(a, " + UnusableRules.RESERVED + ").map(a, '\"' + a + '\" "
                    + UnusableRules.RESERVED_WHY + "')[0]")
    @ValidationRule(
            value = "self.all(a, !" + UnusableRules.IPV4_MAPPED + ")",
            message = "an entry " + UnusableRules.IPV4_MAPPED_WHY,
            messageExpression = "self.filter(a, " + UnusableRules.IPV4_MAPPED + ").map(a, '\"' + a + '\" "
                    + UnusableRules.IPV4_MAPPED_WHY + "')[0]")
    @ValidationRule(
            value = V4_DISJOINT,
            message = "entries of one pool must not share addresses",
            messageExpression = V4_OVERLAP_MESSAGE)
    @ValidationRule(
            value = "self.all(a, self.exists_one(b, b == a))",
            message = "each entry may appear only once",
            messageExpression = "'\"' + self.filter(a, !self.exists_one(b, b == a))[0] + '\" is listed more than once'")
    // 100 characters hold the longest range: two 45-character IPv6 addresses written with an IPv4 tail.
    private List<@Size(min = 1, max = 100) String> addresses;

    @Default("true")
    private Boolean autoAssign;

    @Default("false")
    private Boolean avoidBuggyIPs;

    @Default("false")
    private Boolean disabled;

    private Allocation allocation;

    // Defaulted to an empty object so that the gratuitous ARP defaults below it apply to every pool.
    @Default("{}")
    private Announce announce;

    @Default("VIP")
    @SchemaFrom(type = TrafficModeSchema.class)
    private String trafficMode;

    public List<String> getAddresses() {
        return addresses;
    }

    public void setAddresses(List<String> addresses) {
        this.addresses = addresses;
    }

    public Boolean getAutoAssign() {
        return autoAssign;
    }

    public void setAutoAssign(Boolean autoAssign) {
        this.autoAssign = autoAssign;
    }

    public Boolean getAvoidBuggyIPs() {
        return avoidBuggyIPs;
    }

    public void setAvoidBuggyIPs(Boolean avoidBuggyIPs) {
        this.avoidBuggyIPs = avoidBuggyIPs;
    }

    public Boolean getDisabled() {
        return disabled;
    }

    public void setDisabled(Boolean disabled) {
        this.disabled = disabled;
    }

    public Allocation getAllocation() {
        return allocation;
    }

    public void setAllocation(Allocation allocation) {
        this.allocation = allocation;
    }

    public Announce getAnnounce() {
        return announce;
    }

    public void setAnnounce(Announce announce) {
        this.announce = announce;
    }

    public String getTrafficMode() {
        return trafficMode;
    }

    public void setTrafficMode(String trafficMode) {
        this.trafficMode = trafficMode;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IPPoolSpec s
                && Objects.equals(addresses, s.addresses)
                && Objects.equals(autoAssign, s.autoAssign)
                && Objects.equals(avoidBuggyIPs, s.avoidBuggyIPs)
                && Objects.equals(disabled, s.disabled)
                && Objects.equals(allocation, s.allocation)
                && Objects.equals(announce, s.announce)
                && Objects.equals(trafficMode, s.trafficMode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(addresses, autoAssign, avoidBuggyIPs, disabled, allocation, announce, trafficMode);
    }

    @Override
    public String toString() {
        return "IPPoolSpec{addresses=" + addresses + ", autoAssign=" + autoAssign + ", avoidBuggyIPs=" + avoidBuggyIPs
                + ", disabled=" + disabled + ", allocation=" + allocation + ", announce=" + announce
                + ", trafficMode=" + trafficMode + "}";
    }

    /** The schema of {@code trafficMode}: the field stays a String so an unknown value read back still parses. */
    enum TrafficModeSchema {
        VIP,
        Proxy
    }
}
