package clipbench.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import clipbench.keras.contract.KerasRunner;
import clipbench.keras.contract.Nd;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * Runs a {@link KerasModel} the ONNX way: {@link OnnxExport} in memory, then ONNX Runtime on the NCHW batch. Also
 * checks {@link OnnxExport#outputShape} against what ORT returns.
 */
final class OrtRunner implements KerasRunner {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Override
    public Nd run(KerasModel model, Nd nhwc) throws OrtException {
        byte[] onnx = OnnxExport.toBytes(model);
        int[] hwc = Arrays.copyOfRange(nhwc.shape(), 1, 4); // the image's own size (the model's may be open)
        Nd got;
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            try (OrtSession s = ENV.createSession(onnx, o)) {
                got = run(s, nhwc.nchw(), nhwc.count(), hwc[2], hwc[0], hwc[1]);
            }
        }
        int[] declared = OnnxExport.outputShape(model);
        int[] actual = Arrays.copyOfRange(got.shape(), 1, got.shape().length);
        for (int k = 0; k < declared.length && k < actual.length; k++) {
            declared[k] = declared[k] == clipbench.keras.KerasModel.ANY ? actual[k] : declared[k];
        }
        assertArrayEquals(declared, actual, "OnnxExport.outputShape");
        return got;
    }

    /** Runs a session's single input on NCHW data; returns the output with its shape. */
    static Nd run(OrtSession s, float[] nchw, long... shape) throws OrtException {
        try (OnnxTensor t = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(nchw), shape);
             OrtSession.Result r = s.run(Map.of(OnnxExport.INPUT, t))) {
            OnnxTensor out = (OnnxTensor) r.get(OnnxExport.OUTPUT).orElseThrow();
            int[] os = Arrays.stream(out.getInfo().getShape()).mapToInt(Math::toIntExact).toArray();
            FloatBuffer fb = out.getFloatBuffer();
            float[] v = new float[fb.remaining()];
            fb.get(v);
            return new Nd(os, v);
        }
    }
}
