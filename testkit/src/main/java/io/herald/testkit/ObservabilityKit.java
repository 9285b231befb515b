package io.herald.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the Grafana dashboard and the Prometheus alert rules in {@code deploy/observability} and
 * takes their PromQL apart far enough to name every metric they read and to catch obvious breakage
 * (unbalanced brackets, unknown functions, a rate without a range). Each module checks the names it
 * exports against its own Prometheus scrape, so renaming a metric without the dashboard and alerts
 * following fails the build. This is no PromQL parser; {@code deploy/observability/check.sh} runs the
 * real one (promtool) where Go is at hand.
 */
public final class ObservabilityKit {

    public static final String DASHBOARD = "herald-dashboard.json";
    public static final String RULES = "herald-alerts.yaml";
    public static final String PROMETHEUS_RULE = "herald-prometheusrule.yaml";

    /** Aggregation operators and functions of PromQL (Prometheus 2.x and 3.x). */
    public static final Set<String> FUNCTIONS = Set.of(
            "sum",
            "min",
            "max",
            "avg",
            "group",
            "stddev",
            "stdvar",
            "count",
            "count_values",
            "bottomk",
            "topk",
            "quantile",
            "limitk",
            "limit_ratio",
            "abs",
            "absent",
            "absent_over_time",
            "ceil",
            "changes",
            "clamp",
            "clamp_max",
            "clamp_min",
            "day_of_month",
            "day_of_week",
            "day_of_year",
            "days_in_month",
            "delta",
            "deriv",
            "exp",
            "floor",
            "histogram_avg",
            "histogram_count",
            "histogram_fraction",
            "histogram_quantile",
            "histogram_stddev",
            "histogram_stdvar",
            "histogram_sum",
            "holt_winters",
            "double_exponential_smoothing",
            "hour",
            "idelta",
            "increase",
            "irate",
            "label_join",
            "label_replace",
            "ln",
            "log2",
            "log10",
            "minute",
            "month",
            "predict_linear",
            "rate",
            "resets",
            "round",
            "scalar",
            "sgn",
            "sort",
            "sort_desc",
            "sort_by_label",
            "sort_by_label_desc",
            "sqrt",
            "time",
            "timestamp",
            "vector",
            "year",
            "avg_over_time",
            "min_over_time",
            "max_over_time",
            "sum_over_time",
            "count_over_time",
            "quantile_over_time",
            "stddev_over_time",
            "stdvar_over_time",
            "last_over_time",
            "present_over_time",
            "mad_over_time",
            "acos",
            "acosh",
            "asin",
            "asinh",
            "atan",
            "atanh",
            "cos",
            "cosh",
            "sin",
            "sinh",
            "tan",
            "tanh",
            "deg",
            "rad",
            "pi");

    /** Functions whose (first vector) argument must be a range vector. */
    private static final Set<String> RANGE_FUNCTIONS = Set.of(
            "rate",
            "irate",
            "increase",
            "delta",
            "idelta",
            "deriv",
            "changes",
            "resets",
            "predict_linear",
            "absent_over_time",
            "avg_over_time",
            "min_over_time",
            "max_over_time",
            "sum_over_time",
            "count_over_time",
            "quantile_over_time",
            "stddev_over_time",
            "stdvar_over_time",
            "last_over_time",
            "present_over_time",
            "mad_over_time");

    private static final Set<String> KEYWORDS = Set.of(
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "and",
            "or",
            "unless",
            "bool",
            "offset",
            "atan2",
            "inf",
            "nan",
            "start",
            "end");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    private static final Pattern LABEL_LIST =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");
    private static final Pattern NUMBER_OR_DURATION = Pattern.compile(
            "(?<![A-Za-z0-9_:.])(?:0x[0-9a-fA-F]+|[0-9]+(?:\\.[0-9]*)?(?:[eE][+-]?[0-9]+)?(?:ms|[smhdwy])?)+");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("^\\s*label_values\\((.*),\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)\\s*$");
    private static final Pattern DURATION = Pattern.compile("([0-9]+(ms|[smhdwy]))+(:([0-9]+(ms|[smhdwy]))*)?|\\$\\w+");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ObservabilityKit() {}

    /** {@code deploy/observability}, found from the working directory (a module or the project root) upwards. */
    public static Path directory() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("deploy/observability");
            if (Files.isRegularFile(d.resolve(RULES))) {
                return d;
            }
        }
        throw new IllegalStateException(
                "no deploy/observability/" + RULES + " above " + Path.of("").toAbsolutePath());
    }

    public static JsonNode dashboard() {
        return read(JSON, DASHBOARD);
    }

    public static JsonNode rules() {
        return read(YAML, RULES);
    }

    public static JsonNode prometheusRule() {
        return read(YAML, PROMETHEUS_RULE);
    }

    private static JsonNode read(ObjectMapper m, String file) {
        try {
            return m.readTree(Files.readString(directory().resolve(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    /** Every PromQL expression of the dashboard and the rules, keyed by where it is (for messages). */
    public static Map<String, String> expressions() {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode d = dashboard();
        for (JsonNode panel : panels(d)) {
            for (JsonNode t : panel.path("targets")) {
                if (t.hasNonNull("expr")) {
                    out.put(
                            "dashboard panel \"" + panel.path("title").asText() + "\" target "
                                    + t.path("refId").asText(),
                            t.get("expr").asText());
                }
            }
        }
        for (JsonNode v : d.path("templating").path("list")) {
            if ("query".equals(v.path("type").asText())) {
                JsonNode q = v.path("query");
                String text = q.isTextual() ? q.asText() : q.path("query").asText();
                Matcher m = LABEL_VALUES.matcher(text);
                out.put("dashboard variable " + v.path("name").asText(), m.matches() ? m.group(1) : text);
            }
        }
        for (JsonNode g : rules().path("groups")) {
            for (JsonNode r : g.path("rules")) {
                String name = r.hasNonNull("alert")
                        ? r.get("alert").asText()
                        : r.path("record").asText();
                out.put(
                        "rule " + g.path("name").asText() + "/" + name,
                        r.path("expr").asText());
            }
        }
        return out;
    }

    /** Every panel, including those nested in collapsed rows. */
    public static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add);
        }
        return out;
    }

    /** The metric names an expression reads (selectors outside braces that are no function or keyword). */
    public static Set<String> metricNames(String promql) {
        String s = STRING.matcher(promql).replaceAll("\"\"");
        s = GRAFANA_VARIABLE.matcher(s).replaceAll("1");
        s = s.replaceAll("\\{[^{}]*}", "{}").replaceAll("\\[[^\\[\\]]*]", "[]");
        s = LABEL_LIST.matcher(s).replaceAll(" ");
        s = NUMBER_OR_DURATION.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String id = m.group();
            int next = m.end();
            while (next < s.length() && Character.isWhitespace(s.charAt(next))) {
                next++;
            }
            boolean call = next < s.length() && s.charAt(next) == '(';
            if (!call && !KEYWORDS.contains(id.toLowerCase(java.util.Locale.ROOT)) && !FUNCTIONS.contains(id)) {
                names.add(id);
            }
        }
        return names;
    }

    /** Obvious breakage in an expression; empty when none is found. */
    public static List<String> syntaxProblems(String promql) {
        List<String> problems = new ArrayList<>();
        if (promql == null || promql.isBlank()) {
            return List.of("empty expression");
        }
        String s = STRING.matcher(promql).replaceAll("\"\"");
        String unquoted = s.replace("\"\"", "");
        if (unquoted.contains("\"") || unquoted.contains("'") || unquoted.contains("`")) {
            problems.add("unterminated string");
        }
        Deque<Character> open = new ArrayDeque<>();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '(', '{', '[' -> open.push(c);
                case ')', '}', ']' -> {
                    char want = c == ')' ? '(' : c == '}' ? '{' : '[';
                    if (open.isEmpty() || open.pop() != want) {
                        problems.add("unbalanced '" + c + "'");
                        return problems;
                    }
                }
                default -> {}
            }
        }
        if (!open.isEmpty()) {
            problems.add("unclosed '" + open.peek() + "'");
            return problems;
        }
        String bare = GRAFANA_VARIABLE.matcher(s).replaceAll("1");
        Matcher call = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*\\(").matcher(bare);
        while (call.find()) {
            String f = call.group(1);
            if (KEYWORDS.contains(f)) {
                continue;
            }
            if (!FUNCTIONS.contains(f)) {
                problems.add("unknown function " + f);
            } else if (RANGE_FUNCTIONS.contains(f)
                    && !argument(bare, call.end()).contains("[")) {
                problems.add(f + "() needs a range vector, such as x[5m]");
            }
        }
        Matcher range = Pattern.compile("\\[([^\\[\\]]*)]").matcher(s);
        while (range.find()) {
            if (!DURATION.matcher(range.group(1).replace(" ", "")).matches()) {
                problems.add("bad range [" + range.group(1) + "]");
            }
        }
        Matcher sel = Pattern.compile("\\{([^{}]*)}").matcher(s);
        while (sel.find()) {
            for (String matcher : sel.group(1).split(",")) {
                if (!matcher.isBlank() && !matcher.strip().matches("[A-Za-z_][A-Za-z0-9_]*\\s*(=|!=|=~|!~)\\s*\"\"")) {
                    problems.add("bad label matcher {" + matcher.strip() + "}");
                }
            }
        }
        if (metricNames(promql).isEmpty() && !bare.contains("vector(") && !bare.contains("time(")) {
            problems.add("reads no metric");
        }
        return problems;
    }

    /** The text of a call's arguments, from just after its opening parenthesis to the matching one. */
    private static String argument(String s, int from) {
        int depth = 1;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return s.substring(from, i);
            }
        }
        return s.substring(from);
    }

    /** The sample names of a Prometheus text exposition (what PromQL selects: with _total, _bucket, _sum, _count). */
    public static Set<String> sampleNames(String exposition) {
        Set<String> out = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = IDENTIFIER.matcher(line);
            if (m.lookingAt()) {
                out.add(m.group());
            }
        }
        return out;
    }

    /**
     * The names the dashboard and rules read that {@code owns} claims for one module but its scrape
     * lacks, each with where it is read. Empty when everything is exported.
     */
    public static Map<String, List<String>> missing(java.util.function.Predicate<String> owns, Set<String> exported) {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        expressions().forEach((where, expr) -> {
            for (String n : metricNames(expr)) {
                if (owns.test(n) && !exported.contains(n)) {
                    out.computeIfAbsent(n, k -> new ArrayList<>()).add(where);
                }
            }
        });
        return out;
    }
}
