package clipbench.protocol;

import clipbench.api.spi.Backbone;
import clipbench.api.spi.ClassInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Zero-shot class embeddings: every template filled with every class name, embedded by the text tower,
 * normalised, averaged per class and normalised again (CLIP's prompt ensembling). The text tower takes CLIP token
 * ids ({@link #embed}) or strings ({@link #embedStrings}).
 */
public final class ClassPrompts {
    private ClassPrompts() {
    }

    /**
     * @param tokenize turns texts into token id rows of the model's context length
     */
    public static float[][] embed(Backbone backbone, Function<List<String>, int[][]> tokenize,
                                  List<ClassInfo> classes, PromptTemplates templates, int batchSize,
                                  ProgressListener progress) {
        return embedWith(texts -> backbone.embedTokens(tokenize.apply(texts)), classes, templates, batchSize,
                progress);
    }

    /** For a backbone with its own tokenizer ({@code Capability.TEXT_STRINGS}): prompts through {@code embedTexts}. */
    public static float[][] embedStrings(Backbone backbone, List<ClassInfo> classes, PromptTemplates templates,
                                         int batchSize, ProgressListener progress) {
        return embedWith(backbone::embedTexts, classes, templates, batchSize, progress);
    }

    private static float[][] embedWith(Function<List<String>, float[][]> embed, List<ClassInfo> classes,
                                       PromptTemplates templates, int batchSize, ProgressListener progress) {
        List<String> texts = new ArrayList<>(classes.size() * templates.templates().size());
        for (ClassInfo c : classes) {
            for (String t : templates.templates()) {
                texts.add(templates.fill(t, c.promptName()));
            }
        }
        progress.start("prompts", texts.size());
        float[][] all = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += batchSize) {
            List<String> chunk = texts.subList(from, Math.min(texts.size(), from + batchSize));
            float[][] out = embed.apply(chunk);
            System.arraycopy(out, 0, all, from, out.length);
            progress.advance(chunk.size());
        }
        progress.finish();
        int perClass = templates.templates().size();
        float[][] classEmbeddings = new float[classes.size()][];
        for (int c = 0; c < classes.size(); c++) {
            float[] mean = new float[all[0].length];
            for (int t = 0; t < perClass; t++) {
                float[] row = Vectors.normalize(all[c * perClass + t]);
                for (int d = 0; d < mean.length; d++) {
                    mean[d] += row[d] / perClass;
                }
            }
            classEmbeddings[c] = Vectors.normalize(mean);
        }
        return classEmbeddings;
    }
}
