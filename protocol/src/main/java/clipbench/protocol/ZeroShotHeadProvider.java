package clipbench.protocol;

import clipbench.api.spi.Head;
import clipbench.api.spi.HeadInputs;
import clipbench.api.spi.HeadProvider;

/** Zero-shot: logits = logit scale x cosine(image, class prompt ensemble). Nothing is trained. */
public final class ZeroShotHeadProvider implements HeadProvider {
    public static final String ID = "zero-shot";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "cosine similarity to the prompt-ensemble text embedding of each class";
    }

    @Override
    public boolean needsText() {
        return true;
    }

    @Override
    public boolean trainable() {
        return false;
    }

    @Override
    public java.util.Map<String, Object> settings() {
        return java.util.Map.of("logits",
                "logit_scale * cos(image, normalised mean of the class's normalised prompt embeddings)");
    }

    @Override
    public Head fit(HeadInputs inputs) {
        if (inputs.classTextEmbeddings() == null) {
            throw new IllegalArgumentException("zero-shot needs class text embeddings (a text tower)");
        }
        float[][] classes = inputs.classTextEmbeddings();
        double scale = inputs.logitScale();
        return new Head() {
            @Override
            public float[][] logits(float[][] embeddings) {
                return Vectors.scaledProducts(embeddings, classes, scale);
            }

            @Override
            public long trainableParameters() {
                return 0;
            }
        };
    }
}
