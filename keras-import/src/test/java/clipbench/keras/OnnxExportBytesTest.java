package clipbench.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;

import clipbench.keras.contract.NpmTestData;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ONNX files exported for the real nsfwjs models keep their bytes: the hashes were recorded from the
 * hand-encoded protobuf writer that the generated classes (module onnx-export) replaced.
 */
class OnnxExportBytesTest {

    @ParameterizedTest
    @CsvSource({
        "mobilenet_v2, b3c2d1f45055536ec3648fee74052f316b667562a3997cacf1f080f106b6b726",
        "inception_v3, 53f41260e5fe743760ef3d7879b8e362fb4521dd5417c95f27b8ff91bc4214e4",
    })
    void exportedBytesAreUnchanged(String dir, String sha256) throws Exception {
        KerasModel model = TfjsReader.read(NpmTestData.nsfwjsModel(dir));
        byte[] onnx = OnnxExport.toBytes(model);
        assertEquals(sha256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx)), dir);
    }
}
