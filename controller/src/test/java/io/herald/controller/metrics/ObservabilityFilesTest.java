package io.herald.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.testkit.ObservabilityKit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The files in deploy/observability have the shape Grafana and Prometheus need, their PromQL has no
 * obvious breakage, and the PrometheusRule carries exactly the groups of the plain rule file.
 * (deploy/observability/check.sh runs promtool for a full parse where Go is at hand.)
 */
class ObservabilityFilesTest {

    private static final Pattern DURATION = Pattern.compile("([0-9]+(ms|[smhdwy]))+");

    @Test
    void theDashboardIsImportableAnywhere() {
        JsonNode d = ObservabilityKit.dashboard();
        assertFalse(d.path("title").asText().isBlank());
        assertTrue(d.path("schemaVersion").asInt() >= 36, "schemaVersion " + d.path("schemaVersion"));
        assertTrue(d.path("id").isMissingNode() || d.path("id").isNull(), "an exported id would clash on import");
        JsonNode ds = null;
        for (JsonNode v : d.path("templating").path("list")) {
            if ("datasource".equals(v.path("name").asText())) {
                ds = v;
            }
        }
        assertTrue(
                ds != null
                        && "datasource".equals(ds.path("type").asText())
                        && "prometheus".equals(ds.path("query").asText()),
                "a datasource variable of type prometheus");
        List<String> problems = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        int queries = 0;
        for (JsonNode p : ObservabilityKit.panels(d)) {
            String title = p.path("title").asText();
            if (!ids.add(p.path("id").asInt())) {
                problems.add(title + ": duplicate id " + p.path("id"));
            }
            JsonNode g = p.path("gridPos");
            if (!g.path("w").isInt()
                    || !g.path("h").isInt()
                    || !g.path("x").isInt()
                    || !g.path("y").isInt()
                    || g.path("x").asInt() + g.path("w").asInt() > 24) {
                problems.add(title + ": bad gridPos " + g);
            }
            if ("row".equals(p.path("type").asText())) {
                continue;
            }
            if (!p.path("targets").isArray() || p.path("targets").isEmpty()) {
                problems.add(title + ": no targets");
            }
            checkDatasource(title, p.path("datasource"), problems);
            for (JsonNode t : p.path("targets")) {
                checkDatasource(title + " " + t.path("refId").asText(), t.path("datasource"), problems);
                if (t.path("expr").asText().isBlank()) {
                    problems.add(title + ": target " + t.path("refId").asText() + " without expr");
                }
                queries++;
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(queries > 30, "queries: " + queries);
    }

    private static void checkDatasource(String where, JsonNode ds, List<String> problems) {
        // a hard-coded uid ties the dashboard to the Grafana it was exported from
        if (!"prometheus".equals(ds.path("type").asText())
                || !"${datasource}".equals(ds.path("uid").asText())) {
            problems.add(where + ": datasource must be {type: prometheus, uid: ${datasource}}, is " + ds);
        }
    }

    @Test
    void everyRuleIsAnAlertWithForSeverityAndAnnotations() {
        JsonNode root = ObservabilityKit.rules();
        assertTrue(root.path("groups").isArray() && !root.path("groups").isEmpty(), "groups");
        List<String> problems = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode g : root.path("groups")) {
            assertFalse(g.path("name").asText().isBlank(), "group name");
            assertTrue(g.path("rules").isArray() && !g.path("rules").isEmpty(), "rules of " + g.path("name"));
            for (JsonNode r : g.path("rules")) {
                String a = r.path("alert").asText();
                if (a.isBlank() || !names.add(a)) {
                    problems.add("alert name missing or repeated: " + r);
                }
                if (r.path("expr").asText().isBlank()) {
                    problems.add(a + ": no expr");
                }
                if (!DURATION.matcher(r.path("for").asText()).matches()) {
                    problems.add(a + ": for must be a duration, is " + r.path("for"));
                }
                if (!Set.of("critical", "warning", "info")
                        .contains(r.path("labels").path("severity").asText())) {
                    problems.add(a + ": severity label critical, warning or info");
                }
                for (String k : List.of("summary", "description")) {
                    if (r.path("annotations").path(k).asText().isBlank()) {
                        problems.add(a + ": no " + k + " annotation");
                    }
                }
                if (!r.path("annotations").path("description").asText().contains("kubectl")) {
                    problems.add(a + ": the description should say which kubectl command to start with");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(
                names.containsAll(List.of(
                        "HeraldPoolNearlyExhausted",
                        "HeraldServiceRefused",
                        "HeraldAddressWithoutOwner",
                        "HeraldMembershipSplit",
                        "HeraldProxyBackendsAllDown")),
                "alerts: " + names);
    }

    @Test
    void thePrometheusRuleCarriesTheSameGroups() {
        JsonNode pr = ObservabilityKit.prometheusRule();
        assertEquals("monitoring.coreos.com/v1", pr.path("apiVersion").asText());
        assertEquals("PrometheusRule", pr.path("kind").asText());
        assertEquals(
                ObservabilityKit.rules().path("groups"),
                pr.path("spec").path("groups"),
                "herald-prometheusrule.yaml is stale: run deploy/observability/generate-prometheusrule.sh");
    }

    @Test
    void noExpressionHasObviousBreakage() {
        Map<String, String> exprs = ObservabilityKit.expressions();
        List<String> problems = new ArrayList<>();
        exprs.forEach((where, e) ->
                ObservabilityKit.syntaxProblems(e).forEach(p -> problems.add(where + ": " + p + "\n  " + e)));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        List<String> foreign = new ArrayList<>();
        exprs.forEach((where, e) -> ObservabilityKit.metricNames(e).stream()
                .filter(n -> !n.startsWith("herald_"))
                .forEach(n -> foreign.add(where + ": " + n)));
        assertTrue(foreign.isEmpty(), "names no Herald module exports, so no test checks them: " + foreign);
    }

    // the checker itself: what it must find, and what it must let through
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "sum(rate(herald_x_total[5m])               | unclosed '('",
                "sum(rate(herald_x_total[5m])))             | unbalanced ')'",
                "herald_x{pool=\"a\"                        | unclosed '{'",
                "rates(herald_x_total[5m])                  | unknown function rates",
                "sum(rate(herald_x_total))                  | rate() needs a range vector, such as x[5m]",
                "increase(herald_x_total[5 minutes])        | bad range [5 minutes]",
                "herald_x{pool=a}                           | bad label matcher {pool=a}",
                "herald_x{pool=\"a}                         | unterminated string",
                "herald_x{pool=`a}                          | unterminated string",
            })
    void theCheckerFindsBreakage(String expr, String problem) {
        assertTrue(
                ObservabilityKit.syntaxProblems(expr).contains(problem),
                ObservabilityKit.syntaxProblems(expr).toString());
    }

    @Test
    void theCheckerNamesMetricsAndNothingElse() {
        String e =
                "histogram_quantile(0.99, sum by (le) (rate(herald_reconcile_seconds_bucket{pool=~\"$pool\", x!=\"a b\"}[$__rate_interval])))"
                        + " / on (instance) group_left (pod) max without (le) (herald_controller_leader == bool 1) and ignoring(x) absent(herald_y offset 1h30m)"
                        + " > 1e3 or vector(0)";
        assertEquals(
                Set.of("herald_reconcile_seconds_bucket", "herald_controller_leader", "herald_y"),
                ObservabilityKit.metricNames(e));
        assertEquals(
                List.of(),
                ObservabilityKit.syntaxProblems(
                        "max by (pool, family) (herald_pool_addresses{state=\"assigned\"} and on (instance) (herald_controller_leader == 1)) > 0.9"));
    }
}
