package clipbench.backend.onnx;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import clipbench.api.model.ModelCard;
import clipbench.api.spi.AbstractBackbone;
import clipbench.api.spi.BackendOptions;
import clipbench.api.spi.Capability;
import clipbench.api.spi.ImageBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A text-only model with its own tokenizer (a sentence-transformers encoder): card artifacts {@code onnx.text}
 * (the model) and {@code onnx.tokenizer} ({@code tokenizer.json}), {@code context_length} the most tokens per
 * text. It embeds strings ({@link Capability#TEXT_STRINGS}); it has no image tower and takes no CLIP token ids.
 */
final class SentenceBackbone extends AbstractBackbone {
    static final String TOKENIZER_ROLE = "tokenizer";
    /** sentence-transformers' max_seq_length of all-MiniLM-L6-v2, when the card gives none. */
    static final int DEFAULT_MAX_TOKENS = 256;

    private final SentenceTower tower;

    private SentenceBackbone(ModelCard card, SentenceTower tower, boolean gpu) {
        super(card, tower.dim, capabilities(gpu));
        this.tower = tower;
    }

    private static Set<Capability> capabilities(boolean gpu) {
        Set<Capability> caps = EnumSet.of(Capability.TEXT_STRINGS);
        if (gpu) {
            caps.add(Capability.GPU);
        }
        return caps;
    }

    /** Whether the card is a text model with its own tokenizer (and no image tower). */
    static boolean describes(ModelCard card) {
        return card.artifact(OnnxBackboneProvider.ID, TOKENIZER_ROLE).isPresent()
                && card.artifact(OnnxBackboneProvider.ID, "image").isEmpty();
    }

    static SentenceBackbone open(ModelCard card, BackendOptions options) throws IOException {
        new OnnxBackboneProvider().checkPrecision(card, options.precision());
        Path model = OrtSessions.requireFile(card.requireArtifact(OnnxBackboneProvider.ID, "text"));
        Path tokenizer = card.requireArtifact(OnnxBackboneProvider.ID, TOKENIZER_ROLE);
        int maxTokens = card.contextLength() > 0 ? card.contextLength() : DEFAULT_MAX_TOKENS;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        return OrtSessions.onDevice(options.device(), gpu -> {
            // the tokenizer first: a missing tokenizer.json fails before the model is loaded
            HuggingFaceTokenizer words = SentenceTower.tokenizer(tokenizer, maxTokens);
            OrtSession session;
            try {
                session = OrtSessions.create(env, model, options, gpu);
            } catch (IOException | RuntimeException e) {
                words.close();
                throw e;
            }
            SentenceTower tower = SentenceTower.open(env, model, session, words);
            if (card.embedDim() > 0 && card.embedDim() != tower.dim) {
                tower.close();
                throw new IOException(tower.source() + " has " + tower.dim + " values per row, but the model card"
                        + " says embed_dim " + card.embedDim());
            }
            return new SentenceBackbone(card, tower, gpu);
        });
    }

    @Override
    public float[][] embedTexts(List<String> texts) {
        return requireWidth(tower.embed(texts), tower.source());
    }

    @Override
    public float[][] embedImages(ImageBatch batch) {
        throw new UnsupportedOperationException(card().directory() + ": a text model (" + card().family()
                + "), it has no image tower");
    }

    @Override
    public float[][] embedTokens(int[][] tokenIds) {
        throw new UnsupportedOperationException(card().directory() + ": this text tower tokenizes with its own "
                + "tokenizer.json; give it strings (embedTexts), not CLIP token ids");
    }

    SentenceTower tower() {
        return tower;
    }

    @Override
    public void close() {
        tower.close();
    }
}
