package io.herald.api;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CRD in deploy/crds is what operators install, so it must be exactly what the IPPool classes
 * generate. Outside CI the build copies it there; in CI it does not, and this test catches a
 * change to the classes committed without the regenerated file.
 */
class CrdFileIsCurrentTest {

    private static final String FILE = "ippools.herald.io-v1.yml";

    @Test
    void committedCrdIsWhatTheBuildGenerates() throws IOException {
        Path generated = Path.of(System.getProperty("herald.crd.generated", "target/classes/META-INF/fabric8"), FILE)
                .normalize();
        Path committed = Path.of(System.getProperty("herald.crd.committed", "../deploy/crds"), FILE)
                .normalize();
        assertTrue(Files.isRegularFile(generated), "the build generated no " + generated);
        assertTrue(
                Files.isRegularFile(committed),
                committed + " is missing; build the api module without CI=true to create it");
        List<String> want = Files.readAllLines(generated);
        List<String> have = Files.readAllLines(committed);
        for (int i = 0; i < Math.max(want.size(), have.size()); i++) {
            String w = i < want.size() ? want.get(i) : "(end of file)";
            String h = i < have.size() ? have.get(i) : "(end of file)";
            if (!w.equals(h)) {
                fail(committed + " is not what the IPPool classes generate. Build the api module without CI=true,"
                        + " which rewrites it, and commit the result. First difference, line " + (i + 1)
                        + ":\n  generated: " + w + "\n  committed: " + h);
            }
        }
    }
}
