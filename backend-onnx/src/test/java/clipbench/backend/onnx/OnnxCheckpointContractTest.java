package clipbench.backend.onnx;

import clipbench.api.contract.BackboneContractTest;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.BackendOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;

/**
 * The backend contract on the tiny ViT and ModifiedResNet fixtures through ONNX graphs written from their safetensors
 * checkpoints ({@link ClipOnnxWriter}): a card whose {@code onnx} roles name the checkpoint (so the contract can drop
 * the text role), graphs in a temporary cache, expected.json the fixture's own. A card listing only
 * {@code safetensors.checkpoint} is {@link CheckpointOnnxTest}'s.
 */
class OnnxCheckpointContractTest {
    abstract static class FromCheckpoint extends BackboneContractTest {
        private final String fixture;
        private Path dir;

        FromCheckpoint(String fixture) {
            this.fixture = fixture;
        }

        @Override
        protected BackboneProvider provider() {
            return new OnnxBackboneProvider();
        }

        @Override
        protected Path modelDir() {
            if (dir == null) {
                try {
                    dir = CheckpointCards.onnxRolesNameCheckpoint(fixture,
                            Files.createTempDirectory("clipbench-onnx-ckpt-").resolve(fixture));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return dir;
        }

        @Override
        protected BackendOptions options(int threads) {
            return CheckpointCards.options(threads, modelDir().resolveSibling("graphs"));
        }

        @Override
        protected Path expectedJson() {
            return CheckpointCards.fixture(fixture).resolve("expected.json");
        }

        @AfterAll
        void deleteCopy() throws IOException {
            if (dir != null) {
                CheckpointCards.deleteTree(dir.getParent());
            }
        }
    }

    @Nested
    class Vit extends FromCheckpoint {
        Vit() {
            super("tiny-clip-vit");
        }
    }

    @Nested
    class ResNet extends FromCheckpoint {
        ResNet() {
            super("tiny-clip-rn");
        }
    }
}
