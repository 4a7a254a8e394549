package clipbench.backend.djl;

import clipbench.api.spi.BackboneProvider;
import clipbench.checkpoint.fixtures.CheckpointLayoutContract;
import org.junit.jupiter.api.Nested;

/** The backend contract on the transformers and open_clip folders made from the tiny fixtures, built by ClipNet on DJL. */
class DjlLayoutContractTest {
    @Nested
    class TransformersVit extends CheckpointLayoutContract {
        TransformersVit() {
            super("tiny-clip-vit", TRANSFORMERS);
        }

        @Override
        protected BackboneProvider provider() {
            return new DjlBackboneProvider();
        }
    }

    @Nested
    class OpenClipResNet extends CheckpointLayoutContract {
        OpenClipResNet() {
            super("tiny-clip-rn", OPEN_CLIP);
        }

        @Override
        protected BackboneProvider provider() {
            return new DjlBackboneProvider();
        }
    }
}
