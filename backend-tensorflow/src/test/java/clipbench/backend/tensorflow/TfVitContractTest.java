package clipbench.backend.tensorflow;

import org.junit.jupiter.api.Nested;

/** The backend contract on the tiny ViT CLIP (testdata/models/tiny-clip-vit), built and as a SavedModel. */
class TfVitContractTest {
    @Nested
    class FromCheckpoint extends TfContract {
        FromCheckpoint() {
            super("tiny-clip-vit", false);
        }
    }

    @Nested
    class FromSavedModel extends TfContract {
        FromSavedModel() {
            super("tiny-clip-vit", true);
        }
    }
}
