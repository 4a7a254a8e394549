package clipbench.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prompt templates with a {@code {}} placeholder for the class name.
 *
 * @param name      where they came from, for provenance
 * @param templates the templates
 */
public record PromptTemplates(String name, List<String> templates) {
    /** The 7-template ImageNet subset OpenAI's prompt-engineering notebook recommends. */
    public static final PromptTemplates CLIP7 = new PromptTemplates("clip7", List.of(
            "itap of a {}.", "a bad photo of the {}.", "a origami {}.", "a photo of the large {}.",
            "a {} in a video game.", "art of the {}.", "a photo of the small {}."));
    /** The single template of the CLIP paper's baseline. */
    public static final PromptTemplates PHOTO = new PromptTemplates("photo", List.of("a photo of a {}."));

    private static final Pattern QUOTED = Pattern.compile("'((?:[^'\\\\]|\\\\.)*)'|\"((?:[^\"\\\\]|\\\\.)*)\"");

    public PromptTemplates {
        templates = List.copyOf(templates);
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("templates '" + name + "': none given");
        }
        for (String t : templates) {
            if (!t.contains("{}")) {
                throw new IllegalArgumentException("templates '" + name + "': '" + t + "' has no {} placeholder");
            }
        }
    }

    public String fill(String template, String className) {
        return template.replace("{}", className);
    }

    /**
     * Resolves a template option: {@code clip7}, {@code photo}, a text file with one template per line,
     * or {@code prompts.md#Section} to take the {@code templates} list of one dataset from the CLIP
     * paper's prompt file.
     */
    public static PromptTemplates resolve(String option) throws IOException {
        if (option == null || option.isBlank() || option.equals(CLIP7.name())) {
            return CLIP7;
        }
        if (option.equals(PHOTO.name())) {
            return PHOTO;
        }
        int hash = option.indexOf('#');
        Path file = Path.of(hash >= 0 ? option.substring(0, hash) : option);
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": template file not found (or use clip7 / photo)");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (hash >= 0) {
            return new PromptTemplates(option, fromPromptsMarkdown(file, lines, option.substring(hash + 1)));
        }
        List<String> templates = lines.stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        return new PromptTemplates(file.getFileName().toString(), templates);
    }

    /** The {@code templates = [...]} list under {@code ## section} of OpenAI's prompts.md. */
    static List<String> fromPromptsMarkdown(Path file, List<String> lines, String section) throws IOException {
        String heading = "## " + section.toLowerCase(Locale.ROOT);
        int i = 0;
        while (i < lines.size() && !lines.get(i).strip().toLowerCase(Locale.ROOT).equals(heading)) {
            i++;
        }
        if (i == lines.size()) {
            throw new IOException(file + ": no section '## " + section + "'");
        }
        while (i < lines.size() && !lines.get(i).strip().startsWith("templates")) {
            if (i > 0 && lines.get(i).startsWith("## ") && !lines.get(i).strip().toLowerCase(Locale.ROOT)
                    .equals(heading)) {
                break;
            }
            i++;
        }
        List<String> templates = new ArrayList<>();
        for (i++; i < lines.size() && !lines.get(i).strip().startsWith("]"); i++) {
            Matcher m = QUOTED.matcher(lines.get(i));
            if (m.find()) {
                String t = m.group(1) != null ? m.group(1) : m.group(2);
                templates.add(t.replace("\\'", "'").replace("\\\"", "\""));
            }
        }
        if (templates.isEmpty()) {
            throw new IOException(file + ": section '" + section + "' has no templates list");
        }
        return templates;
    }
}
