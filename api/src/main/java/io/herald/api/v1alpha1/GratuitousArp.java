package io.herald.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.herald.api.model.GratuitousPolicy;
import java.util.Objects;

/**
 * The announcement burst when a node takes an address (gratuitous ARP for IPv4, unsolicited
 * neighbour advertisements for IPv6) and the slow refresh that keeps switch tables from ageing out.
 * Durations use Go's syntax (500ms, 1m30s), as everywhere else in Kubernetes.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GratuitousArp {

    /* What Go's time.ParseDuration accepts, less the micro sign. A sign is allowed here so that "-1s"
    is reported as out of range rather than as not a duration. The range rules below start with
    this test because duration() of anything else is an evaluation error, not false. */
    private static final String SYNTAX = "self.matches('^[-+]?(0|(([0-9]+([.][0-9]*)?|[.][0-9]+)(ns|us|ms|s|m|h))+)$')";
    private static final String EXAMPLES = "500ms, 2s or 1m30s";

    @Min(1)
    @Max(100)
    @Default("" + GratuitousPolicy.DEFAULT_COUNT)
    private Integer count;

    @Size(max = 32)
    @Default(GratuitousPolicy.DEFAULT_INTERVAL)
    @ValidationRule(
            value = SYNTAX,
            message = "must be a duration such as " + EXAMPLES,
            messageExpression = "'\"' + self + '\" is not a duration such as " + EXAMPLES + "'")
    @ValidationRule(
            value = "!" + SYNTAX + " || (duration(self) > duration('0s') && duration(self) <= duration('1h'))",
            message = "interval must be more than 0 and at most 1h",
            messageExpression = "'interval \"' + self + '\" must be more than 0 and at most 1h'")
    private String interval;

    // A floor of 1s: every owner node refreshes every address it holds, and a sub-second period
    // would flood the LAN with ARP for no gain.
    @Size(max = 32)
    @Default(GratuitousPolicy.DEFAULT_REFRESH)
    @ValidationRule(
            value = SYNTAX,
            message = "must be a duration such as " + EXAMPLES,
            messageExpression = "'\"' + self + '\" is not a duration such as " + EXAMPLES + "'")
    @ValidationRule(
            value = "!" + SYNTAX + " || duration(self) == duration('0s')"
                    + " || (duration(self) >= duration('1s') && duration(self) <= duration('24h'))",
            message = "refresh must be 0 (no refresh) or from 1s to 24h",
            messageExpression = "'refresh \"' + self + '\" must be 0 (no refresh) or from 1s to 24h'")
    private String refresh;

    public Integer getCount() {
        return count;
    }

    public void setCount(Integer count) {
        this.count = count;
    }

    public String getInterval() {
        return interval;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public String getRefresh() {
        return refresh;
    }

    public void setRefresh(String refresh) {
        this.refresh = refresh;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GratuitousArp g
                && Objects.equals(count, g.count)
                && Objects.equals(interval, g.interval)
                && Objects.equals(refresh, g.refresh);
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, interval, refresh);
    }

    @Override
    public String toString() {
        return "GratuitousArp{count=" + count + ", interval=" + interval + ", refresh=" + refresh + "}";
    }
}
