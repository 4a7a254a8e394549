package clipbench.backend.djl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.api.model.ModelCards;
import clipbench.api.spi.Precision;
import org.junit.jupiter.api.Test;

/** Reduced precisions DJL cannot run are refused before the model is opened, naming the backend and the reason. */
class DjlPrecisionTest {
    @Test
    void bf16AndInt8AreRefusedNamingTheBackendAndWhy() throws Exception {
        DjlBackboneProvider provider = new DjlBackboneProvider();
        var torchScript = ModelCards.load(clipbench.api.contract.ContractFixtures.testdata("models/tiny-clip-vit"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.checkPrecision(torchScript, Precision.BF16));
        assertTrue(e.getMessage().startsWith("--precision bf16: not supported on backend djl: DJL 0.36's PyTorch JNI"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> provider.checkPrecision(torchScript, Precision.INT8));
        assertTrue(e.getMessage().startsWith("--precision int8: not supported on backend djl: "), e.getMessage());
    }
}
