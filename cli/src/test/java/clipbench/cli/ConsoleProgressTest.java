package clipbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {
    private static String run(boolean terminal) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ConsoleProgress progress = new ConsoleProgress("", terminal, out, 60_000);
            progress.start("embed", 40);
            for (int i = 0; i < 40; i++) {
                progress.advance(1);
            }
            progress.warn("one bad image");
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void notATerminalGetsPlainLinesThatEndWithTheTotal() {
        String text = run(false);
        assertFalse(text.contains("\r"), "no carriage returns in a log file: " + text);
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        assertTrue(lines.get(lines.size() - 2).startsWith("embed") && lines.get(lines.size() - 2).contains("40/40"),
                "the last progress line shows the finished count: " + lines);
        assertEquals("warning: one bad image", lines.get(lines.size() - 1));
        assertEquals(1, lines.stream().filter(l -> l.contains("40/40")).count(), "the final state once: " + lines);
    }

    @Test
    void aTerminalGetsARedrawnBar() {
        String text = run(true);
        assertTrue(text.contains("\r") && text.contains("40/40"), text);
    }
}
