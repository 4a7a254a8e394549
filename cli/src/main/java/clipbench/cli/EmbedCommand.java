package clipbench.cli;

import clipbench.clip.image.ImageDecoder;
import clipbench.clip.image.Npy;
import clipbench.api.model.ModelCard;
import clipbench.api.model.ModelCards;
import clipbench.api.spi.Backbone;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.Capability;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Plugins;
import clipbench.clip.text.ClipTokenizer;
import clipbench.protocol.EmbeddedSplit;
import clipbench.protocol.EmbeddingPipeline;
import clipbench.protocol.Vectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code clipbench embed}: L2-normalised image or text embeddings of a model, as an [n, dim] .npy. */
@Command(name = "embed", description = "Write L2-normalised image or text embeddings as a float32 [n, dim] .npy.")
final class EmbedCommand implements Callable<Integer> {
    @Option(names = "--backend", required = true, description = "Backend id, e.g. onnx.")
    String backend;

    @Option(names = "--model", required = true, description = "Model directory.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Inputs inputs;

    static final class Inputs {
        @Option(names = "--images", arity = "1..*", paramLabel = "FILE")
        List<Path> images;

        @Option(names = "--texts", arity = "1..*", paramLabel = "TEXT")
        List<String> texts;
    }

    @Option(names = "--out", required = true, paramLabel = "X.npy")
    Path out;

    @Mixin
    BackendArgs args;

    @Override
    public Integer call() throws Exception {
        ModelCard card = ModelCards.load(model);
        float[][] rows;
        BackboneProvider provider = AlignedModelProvider.forCard(Plugins.backend(backend), card);
        try (Backbone backbone = provider.open(card, args.options(provider))) {
            if (inputs.images != null) {
                List<DatasetItem> items = new ArrayList<>();
                for (Path p : inputs.images) {
                    items.add(new DatasetItem(p.toString(), 0, () -> ImageDecoder.read(p)));
                }
                EmbeddedSplit split = new EmbeddingPipeline(backbone, (image, side) -> image, args.batchSize)
                        .embed(items, new ConsoleProgress(""));
                if (!split.skipped().isEmpty()) {
                    throw new IllegalArgumentException("unreadable images: " + split.skipped());
                }
                rows = split.embeddings();
            } else if (backbone.capabilities().contains(Capability.TEXT_STRINGS)) {
                rows = Vectors.normalizeRows(backbone.embedTexts(inputs.texts));
            } else {
                ClipTokenizer tokenizer = ClipTokenizer.load(card.resolveVocab());
                rows = Vectors.normalizeRows(backbone.embedTokens(
                        tokenizer.tokenizeAll(inputs.texts, card.contextLength(), false)));
            }
        }
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        Npy.write(out, flat, rows.length, rows[0].length);
        System.out.println(out + " [" + rows.length + ", " + rows[0].length + "]");
        return 0;
    }
}
