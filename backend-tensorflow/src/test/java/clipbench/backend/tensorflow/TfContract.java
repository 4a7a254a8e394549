package clipbench.backend.tensorflow;

import clipbench.api.contract.BackboneContractTest;
import clipbench.api.spi.BackboneProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;

/**
 * The backend contract on a copy of a committed fixture (see {@link TfFixtures#modelDir}): through CLIP built
 * from the safetensors checkpoint with TF ops, or through a SavedModel exported from it by {@link TfExporter}
 * at test time. expected.json is the fixture's own.
 */
abstract class TfContract extends BackboneContractTest {
    private final String fixture;
    private final boolean savedModel;
    private Path dir;

    TfContract(String fixture, boolean savedModel) {
        this.fixture = fixture;
        this.savedModel = savedModel;
    }

    @Override
    protected BackboneProvider provider() {
        return new TfBackboneProvider();
    }

    @Override
    protected Path modelDir() {
        if (dir == null) {
            try {
                Path tmp = Files.createTempDirectory("clipbench-tf-" + fixture + "-");
                dir = TfFixtures.modelDir(fixture, savedModel, tmp.resolve(fixture));
                System.out.printf("[tf] %s %s: %s (%d bytes)%n", fixture, savedModel ? "SavedModel" : "checkpoint",
                        dir, TfFixtures.size(dir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /**
     * TensorFlow's oneDNN convolutions, like libtorch's, pick their kernel by batch size: on the ResNet fixture an
     * image alone and in a batch of 16 differed by up to 6.7e-6 (seen once in CI-like runs, usually below 1e-6).
     */
    @Override
    protected double imageInvarianceTolerance() {
        return fixture.contains("-rn") ? CONVOLUTION_KERNEL_TOLERANCE : INVARIANCE_TOLERANCE;
    }

    @Override
    protected Path expectedJson() {
        return TfFixtures.fixture(fixture).resolve("expected.json");
    }

    @AfterAll
    void deleteCopy() throws IOException {
        if (dir != null) {
            TfFixtures.deleteTree(dir.getParent());
        }
    }
}
