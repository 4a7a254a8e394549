package clipbench.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptTemplatesTest {
    static Path shared() {
        return Path.of(System.getProperty("clipbench.shared", "../../shared"));
    }

    @Test
    void readsOneSectionOfTheClipPaperPromptFile() throws IOException {
        Path prompts = shared().resolve("clip/prompts.md");
        PromptTemplates food = PromptTemplates.resolve(prompts + "#Food101");
        assertEquals(List.of("a photo of {}, a type of food."), food.templates());
        PromptTemplates cifar = PromptTemplates.resolve(prompts + "#CIFAR10");
        assertTrue(cifar.templates().size() > 10, "CIFAR10 has many templates: " + cifar.templates());
        assertTrue(cifar.templates().contains("a photo of a {}."));
        IOException missing = assertThrows(IOException.class, () -> PromptTemplates.resolve(prompts + "#NoSuch"));
        assertTrue(missing.getMessage().contains("NoSuch"));
    }

    @Test
    void readsPlainFilesAndRejectsTemplatesWithoutPlaceholder(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("t.txt"), "# comment\na {} photo.\n\nart of {}.\n");
        assertEquals(List.of("a {} photo.", "art of {}."), PromptTemplates.resolve(file.toString()).templates());
        Path bad = Files.writeString(dir.resolve("bad.txt"), "no placeholder\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PromptTemplates.resolve(bad.toString()));
        assertTrue(e.getMessage().contains("no placeholder"));
        assertEquals(7, PromptTemplates.resolve("clip7").templates().size());
    }
}
