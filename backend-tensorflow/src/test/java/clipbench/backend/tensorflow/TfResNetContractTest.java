package clipbench.backend.tensorflow;

import org.junit.jupiter.api.Nested;

/** The backend contract on the tiny ModifiedResNet CLIP (testdata/models/tiny-clip-rn), built and as a SavedModel. */
class TfResNetContractTest {
    @Nested
    class FromCheckpoint extends TfContract {
        FromCheckpoint() {
            super("tiny-clip-rn", false);
        }
    }

    @Nested
    class FromSavedModel extends TfContract {
        FromSavedModel() {
            super("tiny-clip-rn", true);
        }
    }
}
