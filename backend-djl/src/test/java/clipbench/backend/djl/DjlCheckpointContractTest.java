package clipbench.backend.djl;

import clipbench.api.contract.BackboneContractTest;
import clipbench.api.spi.BackboneProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend contract on CLIP built from the tiny fixtures' checkpoints with libtorch operations ({@link ClipNet}),
 * against the fixtures' own expected.json. The card names the checkpoint in its {@code torchscript} roles (the
 * contract moves and trims those roles); a card listing only {@code artifacts.safetensors.checkpoint} is
 * {@link ClipNetTest}'s.
 */
class DjlCheckpointContractTest {
    @Nested
    class Vit extends FromCheckpoint {
        Vit() {
            super("tiny-clip-vit");
        }
    }

    /** Convolutions pick their kernel by batch size, as for the traced towers ({@link DjlResNetContractTest}). */
    @Nested
    class ResNet extends FromCheckpoint {
        ResNet() {
            super("tiny-clip-rn");
        }

        @Override
        protected double imageInvarianceTolerance() {
            return CONVOLUTION_KERNEL_TOLERANCE;
        }
    }

    abstract static class FromCheckpoint extends BackboneContractTest {
        private final String fixture;
        @TempDir
        static Path tmp;
        private Path dir;

        FromCheckpoint(String fixture) {
            this.fixture = fixture;
        }

        @Override
        protected BackboneProvider provider() {
            return new DjlBackboneProvider();
        }

        @Override
        protected Path modelDir() {
            if (dir == null) {
                try {
                    dir = CheckpointCards.torchScriptRoles(fixture, tmp.resolve(fixture));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return dir;
        }

        @Override
        protected Path expectedJson() {
            return CheckpointCards.fixture(fixture).resolve("expected.json");
        }
    }
}
