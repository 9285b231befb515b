package io.herald.speaker.libc;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativeHeapTest {

    @Test
    void trimsOnGlibc() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "Linux only");
        // glibc's loader is what the speaker's image and the lab run on; musl has no malloc_trim
        boolean glibc = Files.list(Path.of("/lib64"))
                .anyMatch(p -> p.getFileName().toString().startsWith("ld-linux"));
        assumeTrue(glibc, "not a glibc system");
        assertTrue(NativeHeap.trim(), "malloc_trim through the C library");
        assertTrue(NativeHeap.trim(), "and again");
    }
}
