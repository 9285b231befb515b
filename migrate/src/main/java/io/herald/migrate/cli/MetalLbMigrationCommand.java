package io.herald.migrate.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.herald.api.Annotations;
import io.herald.migrate.Conversion;
import io.herald.migrate.MetalLbConverter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code migrate-from-metallb [--ignore-bgp] [FILE|-]}: reads MetalLB objects as YAML (a file, or
 * standard input), writes the Herald IPPools to standard output and warnings to standard error.
 * When anything cannot be converted it writes the reasons to standard error, nothing to standard
 * output, and exits non-zero.
 */
public final class MetalLbMigrationCommand {

    public static final String NAME = "migrate-from-metallb";

    /** Exit codes: converted (perhaps with warnings); something could not be converted; bad usage or unreadable input. */
    public static final int OK = 0;

    public static final int NOT_CONVERTIBLE = 1;
    public static final int USAGE = 2;

    private static final String USAGE_TEXT = "usage: " + NAME + " [--ignore-bgp] [FILE|-]\n"
            + "  Converts MetalLB IPAddressPools and L2Advertisements (YAML, from FILE or standard input) to Herald"
            + " IPPools on standard output.\n"
            + "  kubectl get ipaddresspools.metallb.io,l2advertisements.metallb.io,bgpadvertisements.metallb.io"
            + " -n metallb-system -o yaml | " + NAME + " > ippools.yaml\n"
            + "  --ignore-bgp  leave BGP objects out with a warning instead of failing\n";

    // YAML 1.1 readers (kubectl's included) take yes/no/on/off as booleans: such strings must stay quoted.
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .build());

    private MetalLbMigrationCommand() {}

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.in, utf8(System.out), utf8(System.err)));
    }

    private static PrintStream utf8(PrintStream s) {
        return new PrintStream(s, true, StandardCharsets.UTF_8);
    }

    /** Runs the command; returns its exit code. Writes to {@code out} only when everything converted. */
    public static int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        boolean ignoreBgp = false;
        String file = null;
        for (String a : args) {
            if (a.equals("--ignore-bgp")) {
                ignoreBgp = true;
            } else if (a.equals("-h") || a.equals("--help")) {
                out.print(USAGE_TEXT);
                return OK;
            } else if ((a.startsWith("-") && !a.equals("-")) || file != null) {
                err.print(NAME + ": unexpected argument " + a + "\n" + USAGE_TEXT);
                return USAGE;
            } else {
                file = a;
            }
        }
        List<Object> documents;
        String source = file == null || file.equals("-") ? "standard input" : file;
        try (InputStream input = file == null || file.equals("-") ? in : Files.newInputStream(Path.of(file))) {
            documents = read(input);
        } catch (NoSuchFileException e) {
            err.println(NAME + ": " + file + ": no such file");
            return USAGE;
        } catch (JsonProcessingException e) {
            err.println(NAME + ": " + source + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null
                            ? ""
                            : " (line " + e.getLocation().getLineNr() + ")"));
            return USAGE;
        } catch (IOException e) {
            err.println(NAME + ": cannot read " + source + ": " + e.getMessage());
            return USAGE;
        }

        Conversion c = MetalLbConverter.convert(documents, ignoreBgp);
        c.warnings().forEach(w -> err.println("warning: " + w));
        if (!c.ok()) {
            c.errors().forEach(e -> err.println("error: " + e));
            err.println(NAME + ": " + c.errors().size() + " thing(s) cannot be converted faithfully;"
                    + " nothing was written");
            return NOT_CONVERTIBLE;
        }
        String yaml;
        try {
            yaml = render(c);
        } catch (JsonProcessingException e) {
            err.println(NAME + ": cannot write YAML: " + e.getOriginalMessage());
            return USAGE;
        }
        out.print(yaml);
        out.flush();
        err.println(NAME + ": " + c.pools().size() + " IPPool(s) written"
                + (c.warnings().isEmpty()
                        ? ""
                        : ", " + c.warnings().size() + " warning(s): read them before applying"));
        return OK;
    }

    /**
     * Every document in the stream, {@code kind: List} wrappers included as they are. (Not
     * readValues(): it would unwrap a document that is a sequence into several.)
     */
    public static List<Object> read(InputStream in) throws IOException {
        List<Object> docs = new ArrayList<>();
        try (JsonParser p = YAML.getFactory().createParser(in)) {
            while (p.nextToken() != null) {
                docs.add(YAML.readValue(p, Object.class));
            }
        }
        return docs;
    }

    /** The header comment, then one YAML document per IPPool. */
    static String render(Conversion c) throws JsonProcessingException {
        StringBuilder b = new StringBuilder();
        b.append("# Herald IPPools converted from MetalLB (").append(NAME).append(").\n");
        b.append(
                "# Apply after Herald's CRD (deploy/crds/), and stop MetalLB before Herald takes over its Services.\n");
        b.append("# Services need no change: Herald reads MetalLB's annotations ")
                .append(String.join(", ", aliases()))
                .append(".\n");
        b.append("# Herald announces an address only on interfaces with an address in its subnet.\n");
        if (!c.warnings().isEmpty()) {
            b.append("# Warnings:\n");
            for (String w : c.warnings()) {
                b.append("#   - ").append(w.replace("\n", "\n#     ")).append('\n');
            }
        }
        for (Map<String, Object> pool : c.pools()) {
            b.append(YAML.writeValueAsString(pool));
        }
        return b.toString();
    }

    private static List<String> aliases() {
        return Stream.of(
                        Annotations.IP_POOL_ALIASES,
                        Annotations.LOAD_BALANCER_IPS_ALIASES,
                        Annotations.SHARING_KEY_ALIASES)
                .flatMap(List::stream)
                .filter(a -> !a.startsWith(Annotations.PREFIX))
                .toList();
    }
}
